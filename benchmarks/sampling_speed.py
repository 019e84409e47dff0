"""Sampling, the reference way (one full forward pass per variable, `Autoregressive.sample`) next to the fast
samplers: NADE's incremental sampler (one O(d) update per variable) and MADE's one-pass sampler (each hidden unit
once). Both samplers of a model get the same uniforms; the script reports the time of each, the ratio, and how
many samples agree exactly.

    python benchmarks/sampling_speed.py --threads 1      # the tables in nbs/04_made.ipynb and nbs/06_sampling.ipynb
"""
import time
import torch
from fastcore.script import call_parse
from ar_lecture.core import Autoregressive
from ar_lecture.nade import NADE
from ar_lecture.made import MADE

def compare(name:str, m:Autoregressive, samples:int, fast):
    "Time `fast(u)` and the reference n-pass sampler on the same uniforms; print one row of the table."
    u = m.uniforms(samples, torch.Generator().manual_seed(0))
    fast(u[:10])  # warm up
    t0 = time.perf_counter(); x_fast = fast(u)
    t1 = time.perf_counter(); x_ref = Autoregressive.sample(m, samples, u=u)
    t2 = time.perf_counter()
    same = (x_fast == x_ref).all(1).sum().item()
    print(f'| {name} | {t2 - t1:.2f} | {t1 - t0:.3f} | {(t2 - t1) / (t1 - t0):.0f}x | {same}/{samples} |', flush=True)

@call_parse
def main(samples:int=100, # samples drawn per call
         sizes:str='500,8000', # MADE hidden sizes to try (one hidden layer each), comma separated
         nade_sizes:str='500', # NADE hidden sizes to try, comma separated ('' for none)
         threads:int=0 # torch threads (0: torch's default)
        ):
    if threads: torch.set_num_threads(threads)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {samples} samples, float32\n')
    print('| model | reference: n passes (s) | fast (s) | speed-up | samples identical |')
    print('|---|---|---|---|---|')
    torch.manual_seed(0)
    for d in [int(d) for d in nade_sizes.split(',') if d]:
        m = NADE(784, d)
        compare(f'NADE 784-{d}', m, samples, lambda u: m.sample(len(u), u=u))
    for d in [int(d) for d in sizes.split(',') if d]:
        m = MADE(784, [d], seed=0)
        compare(f'MADE 784-{d}-784', m, samples, lambda u: m.sample(len(u), u=u))
