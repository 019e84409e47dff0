"""The structured MADE's training step with each layer's block products made by the kernel file, one call per layer
(`ar_lecture.structured.PRODUCTS_IN_C = True`), with a layer's weight and input gradients made at once, one thread
each (`GRADIENTS_AT_ONCE = True`, with two threads or more) or one after the other (`False`), against one PyTorch call
per block (`PRODUCTS_IN_C = False`); interleaved in one process: rounds rotate which goes first, each a few steps on
fresh minibatches of binarized MNIST. Prints the median step time of each and how much faster than PyTorch's it is.

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

SETTINGS = {'kernel, gradients at once': (True, True), 'kernel, gradients one after the other': (True, False),
            'PyTorch, one call per block': (False, False)}

@call_parse
def main(threads:int=1, # torch's threads
         hidden:int=500, # hidden units (one hidden layer)
         batch:int=100, # minibatch size
         rounds:int=9, # interleaved rounds
         steps:int=15 # timed steps per round and setting
        ):
    torch.set_num_threads(threads)
    if S.blas_sgemm() is None: print('torch carries no MKL here: the block products always go through PyTorch'); return
    data, run = batches(batch), ours('structured', hidden, 'compiled')
    for _ in range(5): run.step(next(data))
    names, times = list(SETTINGS), {n: [] for n in SETTINGS}
    for r in range(rounds):
        for name in names[r % 3:] + names[:r % 3]:
            S.PRODUCTS_IN_C, S.GRADIENTS_AT_ONCE = SETTINGS[name]
            xs = [next(data) for _ in range(steps)]
            t = time.perf_counter()
            for x in xs: run.step(x)
            times[name].append((time.perf_counter() - t) / steps * 1e3)
    S.PRODUCTS_IN_C, S.GRADIENTS_AT_ONCE = True, True
    base = statistics.median(times[names[-1]])
    print(f'784-{hidden}-784, B = {batch}, {threads} thread(s), median ms/step (faster than PyTorch by):')
    for n in names: print(f'  {n}: {statistics.median(times[n]):.2f} ({base / statistics.median(times[n]):.3f}x)')
