"""The structured MADE's training step with each layer's block products made by the kernel file, one call per layer
(`ar_lecture.structured.PRODUCTS_IN_C = True`), against one PyTorch call per block (`False`), interleaved in one
process: rounds alternate which goes first, each a few steps on fresh minibatches of binarized MNIST; the median step
time of each and their ratio.

    python benchmarks/block_products.py --threads 2 --hidden 500 --batch 100
"""
import statistics, sys, time
from pathlib import Path
import torch
from fastcore.script import call_parse
import ar_lecture.structured as S
sys.path.insert(0, str(Path(__file__).parent))
from made_structured_speed import ours
from made_speed import batches

@call_parse
def main(threads:int=1, # torch's threads
         hidden:int=500, # hidden units (one hidden layer)
         batch:int=100, # minibatch size
         rounds:int=10, # interleaved rounds
         steps:int=15 # timed steps per round and setting
        ):
    torch.set_num_threads(threads)
    if S.blas_sgemm() is None: print('torch carries no MKL here: the block products always go through PyTorch'); return
    data, run = batches(batch), ours('structured', hidden, True)
    for _ in range(5): run.step(next(data))
    times = {True: [], False: []}
    for r in range(rounds):
        for setting in ((True, False) if r % 2 else (False, True)):
            S.PRODUCTS_IN_C = setting
            xs = [next(data) for _ in range(steps)]
            t = time.perf_counter()
            for x in xs: run.step(x)
            times[setting].append((time.perf_counter() - t) / steps * 1e3)
    S.PRODUCTS_IN_C = True
    in_c, per_block = statistics.median(times[True]), statistics.median(times[False])
    print(f'784-{hidden}-784, B = {batch}, {threads} thread(s): one call per layer {in_c:.2f} ms/step, one PyTorch call per '
          f'block {per_block:.2f} ms/step; one call per layer is faster by {per_block / in_c:.3f}x')
