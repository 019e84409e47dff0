"""The optimizer step alone: each optimizer in PyTorch's default implementation, in PyTorch's fused one, and as the
trainer makes it (`ar_lecture.train.make_optimizer`: for Adam on float32 CPU parameters, `CompiledAdam`), on a
MADE's parameters after a real backward pass. Median of `steps` steps, in `rounds` interleaved rounds, all in one
process.

    python benchmarks/optimizer_step.py --threads 1      # the numbers in nbs/05_training.ipynb
"""
import statistics, time
import torch
from fastcore.script import call_parse
from ar_lecture.made import MADE
from ar_lecture.train import make_optimizer

def step_ms(make, hidden:int, bs:int, steps:int, layers:str) -> float:
    "Median milliseconds of `opt.step()` for a MADE 784-hidden-784 trained on random binary batches."
    torch.manual_seed(0)
    m, x = MADE(784, [hidden], layers=layers), (torch.rand(bs, 784) < 0.2).float()
    opt, times = make(m.parameters()), []
    for i in range(steps + 5):
        loss = -m.log_prob(x).mean(); opt.zero_grad(); loss.backward()
        t = time.perf_counter(); opt.step(); times.append(time.perf_counter() - t)
    return statistics.median(times[5:]) * 1e3

@call_parse
def main(hidden:int=500, # hidden units of the MADE
         bs:int=100, # minibatch size
         steps:int=30, # steps timed per round
         rounds:int=3, # interleaved rounds
         threads:int=0, # torch threads (0: torch's default)
         layers:str='dense' # the MADE's layers: 'dense' (two weight matrices) or 'structured' (their blocks, 14 tensors)
        ):
    if threads: torch.set_num_threads(threads)
    cpu = torch.device('cpu')
    default = dict(adam=lambda p: torch.optim.Adam(p, 1e-3), adagrad=lambda p: torch.optim.Adagrad(p, 1e-2),
                   sgd=lambda p: torch.optim.SGD(p, 1e-2, momentum=0.9))
    fused = dict(adam=lambda p: torch.optim.Adam(p, 1e-3, fused=True), adagrad=lambda p: torch.optim.Adagrad(p, 1e-2, fused=True),
                 sgd=lambda p: torch.optim.SGD(p, 1e-2, momentum=0.9, fused=True))
    rows, kinds = {}, {}
    for _ in range(rounds):
        for name in default:
            kinds[name] = type(make_optimizer(name, MADE(3, [2]).parameters(), 1e-3, cpu)).__name__
            for how, make in (('default', default[name]), ('fused', fused[name]),
                              ('trainer', lambda p: make_optimizer(name, p, 1e-3, cpu))):
                rows.setdefault((name, how), []).append(step_ms(make, hidden, bs, steps, layers))
    print(f'MADE 784-{hidden}-784 ({layers} layers), batch {bs}, {torch.get_num_threads()} thread(s), median of {steps} '
          f'steps, median of {rounds} rounds\n')
    print("| optimizer | default step (ms) | fused step (ms) | the trainer's | its step (ms) | default / trainer's |")
    print('|---|---:|---:|---|---:|---:|')
    for name in default:
        d, f, t = (statistics.median(rows[name, k]) for k in ('default', 'fused', 'trainer'))
        print(f'| {name} | {d:.2f} | {f:.2f} | {kinds[name]} | {t:.2f} | {d / t:.1f}x |')
