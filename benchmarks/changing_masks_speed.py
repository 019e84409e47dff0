"""What the two costs of masks that change cost: a structured MADE's training step (1) in a process whose `malloc` has
glibc's defaults, sorting its weights with PyTorch's gathers, (2) with freed memory kept for reuse
(`keep_freed_memory`), still PyTorch's gathers, (3) with freed memory kept and the compiled sort
(`kernels/staircase.c`, what the library does), side by side in one run.

Both settings belong to a whole process (the allocator's cannot be undone; the kernel is chosen once), so each
measurement runs in a child process of its own (this script with `--child_args`, `AR_LECTURE_KERNEL=0` for PyTorch's
gathers); rounds alternate the settings. A step is what `ar_lecture_train` does per minibatch: `on_train_batch` (the
next mask), `nll_loss`, backward, fused Adam; structured layers, direct connections, B = 100, one thread; timed after a
whole cycle of masks, as in a training run under way.

    python benchmarks/changing_masks_speed.py
    python benchmarks/changing_masks_speed.py --rounds 3 --steps 10
"""
import json, os, statistics, subprocess, sys, time
import torch
from fastcore.script import call_parse
from ar_lecture.made import MADE
from ar_lecture.train import nll_loss, keep_freed_memory
from ar_lecture.structured import staircase_kernel

CONFIGS = [([8000], 1), ([8000], 32), ([8000, 8000], 32)]  # hidden sizes, masks cycled
SETTINGS = [(False, False), (True, False), (True, True)]  # (freed memory kept, compiled sort)

def child(hidden:list, masks:int, keep:bool, steps:int) -> dict:
    "Median seconds per training step, by the wall clock and by this process's CPU time."
    kept = keep_freed_memory() if keep else False
    torch.set_num_threads(1); torch.manual_seed(0)
    m = MADE(784, hidden, ordering='random' if masks > 1 else None, n_masks=masks, direct=True, layers='structured')
    opt = torch.optim.Adam(m.parameters(), 1e-3, fused=True)
    x = (torch.rand(100, 784) < 0.3).float()
    def step():
        m.on_train_batch(); loss = nll_loss(m, x, check=False); opt.zero_grad(); loss.backward(); opt.step()
    for _ in range(max(2, masks)): step()  # warm-up: a whole cycle of masks (a MADE works out each mask's staircases once)
    wall, cpu = [], []
    for _ in range(steps):
        t, c = time.perf_counter(), time.process_time(); step()
        wall.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    return dict(wall=statistics.median(wall), cpu=statistics.median(cpu), kept=kept, kernel=staircase_kernel() is not None)

@call_parse
def main(rounds:int=2, # interleaved rounds
         steps:int=6, # timed steps per child process
         child_args:str=None): # internal: run one measurement (JSON arguments) and print its result
    if child_args:
        print(json.dumps(child(**json.loads(child_args)))); return
    print(f'torch {torch.__version__}; {rounds} rounds x {steps} steps, one thread, B = 100; median ms per step by the '
          f'CPU time of the process (the wall clock in brackets); each cell is the median over rounds\n')
    res = {}
    for r in range(rounds):
        for hidden, masks in CONFIGS:
            for keep, kernel in SETTINGS:
                args = json.dumps(dict(hidden=hidden, masks=masks, keep=keep, steps=steps))
                env = dict(os.environ, AR_LECTURE_KERNEL='1' if kernel else '0')
                out = subprocess.run([sys.executable, __file__, '--child_args', args], capture_output=True, text=True,
                                     check=True, env=env)
                d = json.loads(out.stdout.strip().splitlines()[-1])
                if (d['kept'], d['kernel']) != (keep, kernel): raise SystemExit(f'asked for {(keep, kernel)}, got {d}')
                res.setdefault((tuple(hidden), masks, keep, kernel), []).append(d)
    print('| sizes | masks | glibc defaults, PyTorch sort | memory kept, PyTorch sort | memory kept, C sort | '
          'memory kept saves | C sort saves | both |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|')
    for hidden, masks in CONFIGS:
        med = lambda s, k: statistics.median(d[k] for d in res[(tuple(hidden), masks, *s)]) * 1e3
        cpu, wall = [med(s, 'cpu') for s in SETTINGS], [med(s, 'wall') for s in SETTINGS]
        cells = ' | '.join(f'{c:.1f} ({w:.1f})' for c, w in zip(cpu, wall))
        print(f'| {"-".join(map(str, [784, *hidden, 784]))} | {masks} | {cells} | {cpu[0] / cpu[1]:.2f}x | '
              f'{cpu[1] / cpu[2]:.2f}x | {cpu[0] / cpu[2]:.2f}x |', flush=True)
