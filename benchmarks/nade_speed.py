"""NADE training and evaluation speed: the library's NADE (the compiled kernel), its plain PyTorch block pass,
the O(n^2 d) reference and the per-dimension loop that public NADE implementations use, side by side in one run.

    python benchmarks/nade_speed.py                      # n=784, d=500, batches of 100 and 500 binarized MNIST images
    python benchmarks/nade_speed.py --threads 1 --reps 9

A training step is forward, summed binary cross-entropy, backward and an Adam step (`fused=True`, the same
for every implementation); an evaluation is log p(x)
of the batch under `torch.no_grad()`. The implementations train their own copies of one model on the same
batches; their repetitions are interleaved (round-robin, order rotated each round) and the first round is a
warm-up. Times are medians. Peak memory is the growth of the peak resident set size (Linux VmHWM, reset through
/proc/self/clear_refs) during one training step, each implementation in a fresh process.
"""
import os, platform, statistics, subprocess, sys, time
import torch, torch.nn.functional as F
from fastcore.script import call_parse, store_true
from ar_lecture.data import load_binarized_mnist
from ar_lecture.nade import NADE
from ar_lecture.incremental import block_logits

IMPLEMENTATIONS = dict(
    nade=lambda m, x, block: m.logits(x, check=False),  # the library's default, path='auto': the compiled kernel where it builds
    blocks=lambda m, x, block: block_logits(m, x, False, **({'block': block} if block else {})),  # plain PyTorch
    reference=lambda m, x, block: m.logits(x, check=False, path='reference'),
    loop=lambda m, x, block: m.logits(x, check=False, path='loop'))

def train_step(impl, model, opt, x, block=None):
    opt.zero_grad(set_to_none=True)
    F.binary_cross_entropy_with_logits(IMPLEMENTATIONS[impl](model, x, block), x, reduction='sum').backward()
    opt.step()

@torch.no_grad()
def evaluate(impl, model, x, block=None):
    return -F.binary_cross_entropy_with_logits(IMPLEMENTATIONS[impl](model, x, block), x, reduction='none').sum(1)

def seconds(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

def _kib(field):
    with open('/proc/self/status') as f: return int(next(l for l in f if l.startswith(field)).split()[1])

def peak_memory_mb(impl, n, d, batch, block):
    "Peak RSS growth (MB) of one training step, measured in a fresh process."
    cmd = [sys.executable, __file__, '--memory_of', impl, '--n', str(n), '--d', str(d), '--batches', str(batch)]
    if block: cmd += ['--block', str(block)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS=str(torch.get_num_threads())))
    return float(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else float('nan')

def data(n, size):
    x = load_binarized_mnist('train')[:size]
    return x[:, :n].contiguous() if n <= x.shape[1] else (torch.rand(size, n) < x.mean()).float()

@call_parse
def main(n:int=784, # number of inputs (784: binarized MNIST; more: random inputs with MNIST's density)
         d:int=500, # hidden units
         batches:str='100,500', # batch sizes, comma separated
         reps:int=5, # timed rounds after the warm-up round
         reference_reps:int=2, # timed rounds of the (slow) reference
         impls:str='nade,blocks,reference,loop', # implementations to run, comma separated
         threads:int=None, # torch threads (default: torch's choice)
         block:int=None, # block size of the block pass (default: the library's)
         no_memory:store_true=False, # skip the peak-memory measurement (fresh processes)
         memory_of:str=None): # internal: measure one implementation's memory and exit
    if threads: torch.set_num_threads(threads)
    impls = impls.split(','); sizes = [int(b) for b in batches.split(',')]
    if memory_of:
        x = data(n, sizes[0]); torch.manual_seed(0); m = NADE(n, d); opt = torch.optim.Adam(m.parameters(), 1e-3, fused=True)
        before = _kib('VmRSS:')
        with open('/proc/self/clear_refs', 'w') as f: f.write('5')
        train_step(memory_of, m, opt, x, block)
        print((_kib('VmHWM:') - before) / 1024); return
    print(f'# NADE speed: n={n}, d={d}; torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'{platform.processor() or platform.machine()}, {os.cpu_count()} cpus')
    print(f'# command: python {" ".join(sys.argv)}')
    X = data(n, max(sizes) * (reps + 1))
    print('| batch | implementation | train ex/s | eval ex/s | train vs loop | eval vs loop | peak MB (train step) |')
    print('|---:|---|---:|---:|---:|---:|---:|')
    for B in sizes:
        models = {}
        for impl in impls:
            torch.manual_seed(0); m = NADE(n, d); models[impl] = (m, torch.optim.Adam(m.parameters(), 1e-3, fused=True))
        times = {impl: ([], []) for impl in impls}
        for r in range(reps + 1):
            x = X[(r % (len(X) // B)) * B:][:B]
            for i in range(len(impls)):
                impl = impls[(i + r) % len(impls)]
                if impl == 'reference' and r > reference_reps: continue
                m, opt = models[impl]
                t_train = seconds(lambda: train_step(impl, m, opt, x, block))
                t_eval = seconds(lambda: evaluate(impl, m, x, block))
                if r > 0: times[impl][0].append(t_train); times[impl][1].append(t_eval)
        speed = {impl: [B / statistics.median(t) for t in times[impl]] for impl in impls}
        for impl in impls:
            tr, ev = speed[impl]
            ratio = (f'{tr / speed["loop"][0]:.1f}x', f'{ev / speed["loop"][1]:.1f}x') if 'loop' in speed else ('', '')
            mem = f'{peak_memory_mb(impl, n, d, B, block):.0f}' if not no_memory else ''
            print(f'| {B} | {impl} | {tr:,.0f} | {ev:,.0f} | {ratio[0]} | {ratio[1]} | {mem} |', flush=True)
