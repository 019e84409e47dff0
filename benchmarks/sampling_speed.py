"""MADE sampling: the reference (one forward pass per variable) next to the fast sampler (each hidden unit once).

Both get the same uniforms; the script reports the time of each, the ratio, and how many samples agree exactly.

    python benchmarks/sampling_speed.py                  # the table in nbs/04_made.ipynb
"""
import time
import torch
from fastcore.script import call_parse
from ar_lecture.made import MADE

@call_parse
def main(samples:int=100, # samples drawn per call
         sizes:str='500,8000', # hidden sizes to try (one hidden layer each), comma separated
         threads:int=0 # torch threads (0: torch's default)
        ):
    if threads: torch.set_num_threads(threads)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, {samples} samples, float32\n')
    print('| sizes | reference (s) | fast (s) | speed-up | samples identical |')
    print('|---|---|---|---|---|')
    for d in map(int, sizes.split(',')):
        m = MADE(784, [d], seed=0)
        u = m.uniforms(samples, torch.Generator().manual_seed(0))
        m.sample(10, u=u[:10])  # warm up
        t0 = time.perf_counter(); fast = m.sample(samples, u=u)
        t1 = time.perf_counter(); reference = m.sample(samples, u=u, fast=False)
        t2 = time.perf_counter()
        same = (fast == reference).all(1).sum().item()
        print(f'| 784-{d}-784 | {t2 - t1:.2f} | {t1 - t0:.3f} | {(t2 - t1) / (t1 - t0):.0f}x | {same}/{samples} |')
