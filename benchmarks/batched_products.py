"""The structured MADE's training step with its block products in one MKL batch call per layer
(`ar_lecture.structured.BATCHED = True`) against one PyTorch call per block (`False`), interleaved in one process:
rounds alternate which goes first, each a few steps on fresh minibatches of binarized MNIST; the median step time
of each and their ratio.

    python benchmarks/batched_products.py --threads 1 --hidden 500 --batch 100
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
    if S.gemm_batch() is None: print('torch carries no MKL here: the block products always go one call each'); return
    data, run = batches(batch), ours('structured', hidden, True)
    for _ in range(5): run.step(next(data))
    times = {True: [], False: []}
    for r in range(rounds):
        for setting in ((True, False) if r % 2 else (False, True)):
            S.BATCHED = setting
            xs = [next(data) for _ in range(steps)]
            t = time.perf_counter()
            for x in xs: run.step(x)
            times[setting].append((time.perf_counter() - t) / steps * 1e3)
    S.BATCHED = None
    one, per_block = statistics.median(times[True]), statistics.median(times[False])
    print(f'784-{hidden}-784, B = {batch}, {threads} thread(s): batch call {one:.2f} ms/step, one call per block '
          f'{per_block:.2f} ms/step; the batch call is faster by {per_block / one:.3f}x')
