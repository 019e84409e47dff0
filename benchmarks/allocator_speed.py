"""What `keep_freed_memory` saves: a MADE's training step in a process whose `malloc` keeps freed memory for reuse,
next to one whose `malloc` has glibc's defaults, side by side in one run.

The setting belongs to a whole process and cannot be undone, so each measurement runs in a child process of its own
(this script with `--child`); rounds alternate the two settings. A step is what `ar_lecture_train` does per
minibatch: `on_train_batch` (the next mask), `nll_loss`, backward, fused Adam; structured layers, direct connections,
B = 100, one thread.

    python benchmarks/allocator_speed.py
    python benchmarks/allocator_speed.py --rounds 3 --steps 10
"""
import json, statistics, subprocess, sys, time
import torch
from fastcore.script import call_parse
from ar_lecture.made import MADE
from ar_lecture.train import nll_loss, keep_freed_memory

CONFIGS = [([8000], 1), ([8000], 32), ([8000, 8000], 32)]  # hidden sizes, masks cycled

def child(hidden:list, masks:int, keep:bool, steps:int) -> dict:
    "Median seconds per training step, by the wall clock and by this process's CPU time."
    kept = keep_freed_memory() if keep else False
    torch.set_num_threads(1); torch.manual_seed(0)
    m = MADE(784, hidden, ordering='random' if masks > 1 else None, n_masks=masks, direct=True, layers='structured')
    opt = torch.optim.Adam(m.parameters(), 1e-3, fused=True)
    x = (torch.rand(100, 784) < 0.3).float()
    def step():
        m.on_train_batch(); loss = nll_loss(m, x, check=False); opt.zero_grad(); loss.backward(); opt.step()
    for _ in range(2): step()  # warm-up
    wall, cpu = [], []
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time(); step()
        wall.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    return dict(wall=statistics.median(wall), cpu=statistics.median(cpu), kept=kept)

@call_parse
def main(rounds:int=2, # interleaved rounds
         steps:int=6, # timed steps per child process
         child_args:str=None): # internal: run one measurement (JSON arguments) and print its result
    if child_args:
        print(json.dumps(child(**json.loads(child_args)))); return
    print(f'torch {torch.__version__}; {rounds} rounds x {steps} steps, one thread, B = 100; median ms per step by the '
          f'wall clock and by the CPU time of the process; each cell is the median over rounds\n')
    res = {}
    for r in range(rounds):
        for hidden, masks in CONFIGS:
            for keep in (False, True):
                args = json.dumps(dict(hidden=hidden, masks=masks, keep=keep, steps=steps))
                out = subprocess.run([sys.executable, __file__, '--child_args', args], capture_output=True, text=True, check=True)
                d = json.loads(out.stdout.strip().splitlines()[-1])
                if keep and not d['kept']: raise SystemExit('keep_freed_memory() is not available here (not glibc)')
                res.setdefault((tuple(hidden), masks, keep), []).append(d)
    print('| sizes | masks | glibc defaults, ms wall | kept, ms wall | faster by, wall | glibc defaults, ms CPU | kept, ms CPU | faster by, CPU |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|')
    for hidden, masks in CONFIGS:
        med = lambda keep, k: statistics.median(d[k] for d in res[(tuple(hidden), masks, keep)]) * 1e3
        w0, w1, c0, c1 = med(False, 'wall'), med(True, 'wall'), med(False, 'cpu'), med(True, 'cpu')
        sizes = '-'.join(map(str, [784, *hidden, 784]))
        print(f'| {sizes} | {masks} | {w0:.1f} | {w1:.1f} | {w0 / w1:.2f} | {c0:.1f} | {c1:.1f} | {c0 / c1:.2f} |', flush=True)
