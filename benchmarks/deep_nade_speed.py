"""DeepNADE speed: the exact log p(x) under one ordering by the incremental paths against the definition (one full
network pass per position), and the order-agnostic training step, side by side in one run.

    OMP_NUM_THREADS=1 python benchmarks/deep_nade_speed.py            # n=784, one layer of 500 and two of 500, batch 100
    OMP_NUM_THREADS=1 python benchmarks/deep_nade_speed.py --hidden 500 --reps 7

Evaluation paths (`DeepNADE.logits(x, path=...)`): 'kernel' and 'blocks' are NADE's compiled kernel and block pass on
the inputs [x, 1] (one hidden layer only: `as_nade`, computed by `NADE.logits`); 'cumsum' computes the first layer's pre-activations a_i at every position by a
cumulative sum and runs the layers above once per position; 'reference' is `DeepNADE.reference_logits`, n full passes.
A training step is `training_loss` (one full pass on [x * m, m]), backward and an Adam step. Repetitions are
interleaved (round-robin, order rotated each round), the first round is a warm-up, times are medians. The floor is
the dense arithmetic of the reference (its matrix products, counted) at the sgemm rate measured here.
"""
import os, platform, statistics, sys, time
import torch, torch.nn.functional as F
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist
from ar_lecture.deep_nade import DeepNADE
from ar_lecture.kernel import nade_kernel

def seconds(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

def sgemm_rate(size=1024, reps=3):
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    return 2 * size**3 / min(seconds(lambda: a @ b) for _ in range(reps))

def reference_flops(n, hidden):
    "Matrix-product FLOPs of the definition per example: n passes of [2n] -> hidden -> n."
    sizes = [2 * n, *hidden, n]
    return n * sum(2 * a * b for a, b in zip(sizes, sizes[1:]))

@torch.no_grad()
def evaluate(model, x, method):
    l = model.logits(x, check=False, path=method)
    return -F.binary_cross_entropy_with_logits(l, x, reduction='none').sum(1)

def train_step(model, opt, x):
    opt.zero_grad(set_to_none=True); model.training_loss(x).backward(); opt.step()

@call_parse
def main(hidden:str='500;500,500', # models to time: layer sizes separated by commas, models by semicolons
         batch:int=100, # examples per batch
         reps:int=5, # timed rounds after the warm-up round
         reference_reps:int=2): # timed rounds of the (slow) reference
    x_all = load_binarized_mnist('valid')
    rate = sgemm_rate()
    print(f'# DeepNADE speed: n=784, batch {batch}; torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'{platform.processor() or platform.machine()}, {os.cpu_count()} cpus; sgemm {rate / 1e9:.0f} GFLOP/s (1024^3)')
    print(f'# command: OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS", "")} python {" ".join(sys.argv)}')
    print('| hidden | path | eval ex/s | vs reference | reference floor ex/s | train step ex/s |')
    print('|---|---|---:|---:|---:|---:|')
    for sizes in hidden.split(';'):
        layers = [int(h) for h in sizes.split(',')]
        torch.manual_seed(0); model = DeepNADE(784, layers)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        methods = (['kernel'] if len(layers) == 1 and nade_kernel() else []) + (['blocks'] if len(layers) == 1 else []) + ['cumsum', 'reference']
        times = {m: [] for m in methods + ['train']}
        for r in range(reps + 1):
            x = x_all[r * batch:(r + 1) * batch]
            jobs = methods + ['train']
            for i in range(len(jobs)):
                job = jobs[(i + r) % len(jobs)]
                if job == 'reference' and r > reference_reps: continue
                t = seconds(lambda: train_step(model, opt, x)) if job == 'train' else seconds(lambda: evaluate(model, x, job))
                if r > 0: times[job].append(t)
        speed = {m: batch / statistics.median(t) for m, t in times.items()}
        floor = rate / reference_flops(784, layers)
        for m in methods:
            print(f'| {sizes} | {m} | {speed[m]:,.0f} | {speed[m] / speed["reference"]:,.0f}x | {floor:,.1f} | '
                  f'{speed["train"]:,.0f} |', flush=True)
