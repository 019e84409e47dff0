"""What it costs to hand work to torch's threads: `in_threads` on torch's OpenMP team (GNU OpenMP's `GOMP_parallel`)
and on a pool of Python threads (what `in_threads` falls back to elsewhere), side by side in one run: parts that do
nothing, right after a matrix product (the team's threads still spinning) and after a pause (asleep); and the
training loss of a minibatch of 500 x 784 logits (`nll_from_logits`, its rows shared), after a product.

    python benchmarks/thread_start.py --threads 2
"""
import statistics, time
from unittest import mock
import torch
from fastcore.script import call_parse
import ar_lecture.kernel as K
from ar_lecture.train import nll_from_logits, loss_kernel

def _time(f, n:int=200) -> float:
    "Median microseconds of `f()` over `n` calls."
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e6

@call_parse
def main(threads:int=2, # torch's threads, and parts handed out
         rounds:int=5 # interleaved rounds; the median over them is printed
        ):
    torch.set_num_threads(threads)
    if K._gomp() is None: print('torch has not loaded GNU OpenMP here: in_threads uses the pool of Python threads'); return
    a = torch.randn(256, 256)
    hand_out = lambda: K.in_threads(lambda p: None, threads)
    logits, x = torch.randn(500, 784), (torch.rand(500, 784) < 0.2).float()
    loss = lambda: nll_from_logits(logits, x)
    cases = {'empty parts, after a product': (lambda: a @ a, hand_out), 'empty parts, after 2 ms asleep': (lambda: time.sleep(0.002), hand_out)}
    if loss_kernel() is not None: cases['loss 500 x 784, after a product'] = (lambda: a @ a, loss)
    res = {(w, s): [] for w in ('team', 'pool') for s in cases}
    for r in range(rounds):
        for w in (('team', 'pool') if r % 2 == 0 else ('pool', 'team')):
            with mock.patch.object(K, '_gomp', (lambda: None) if w == 'pool' else K._gomp):  # the pool: as without GNU's runtime
                for s, (before, work) in cases.items():
                    res[w, s].append(_time(lambda: (before(), work())) - _time(before))
    print(f'torch {torch.__version__}, {threads} threads, {threads} parts; microseconds (median of {rounds} rounds)')
    for s in cases:
        team, pool_ = statistics.median(res['team', s]), statistics.median(res['pool', s])
        print(f'{s:>32}: team {team:6.1f} us   pool {pool_:6.1f} us   pool / team {pool_ / team:5.1f}')
