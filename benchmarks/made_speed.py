"""Training-step throughput of `ar_lecture.made.MADE` next to a masked MLP written the way peers write it.

A training step is: forward, summed binary cross-entropy (averaged over the batch), backward, optimizer step.
Both models have the same sizes and the same masks; the peer layer is `F.linear(x, W * mask, b)` with a float
mask buffer and untouched nn.Linear initialization. Rounds are interleaved (peer, ours, peer, ours, ...) and the
median per-step time over rounds is reported, so both see the same machine load.

    python benchmarks/made_speed.py                      # the table in nbs/04_made.ipynb
    python benchmarks/made_speed.py --decay_steps 3000   # also the weight-decay (denormal) experiment
"""
import statistics, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist
from ar_lecture.masks import made_masks
from ar_lecture.made import MADE

class PeerMaskedLinear(nn.Linear):
    "A masked layer as public MADEs write it: a float mask buffer multiplied into the weight at each call."
    def __init__(self, mask:torch.Tensor):
        super().__init__(mask.shape[1], mask.shape[0])
        self.register_buffer('mask', mask.float())
    def forward(self, x): return F.linear(x, self.weight * self.mask, self.bias)

def peer_made(masks) -> nn.Sequential:
    "The peers' masked MLP: masked layers with ReLUs between them."
    layers = []
    for M in masks.layers: layers += [PeerMaskedLinear(M), nn.ReLU()]
    return nn.Sequential(*layers[:-1])

def peer_loss(model, x): return F.binary_cross_entropy_with_logits(model(x), x, reduction='sum') / len(x)
def made_loss(model, x): return -model.log_prob(x, check=False).mean()

def build(hidden:list, fused:bool, optimizer=torch.optim.Adam, weight_decay:float=0.):
    "Our MADE and the peers' masked MLP with the same masks, each with its own optimizer (lr 1e-3)."
    ours = MADE(784, hidden, seed=0)
    peer = peer_made(made_masks(*ours.mask_numbers(0)))
    opt = lambda m: optimizer(m.parameters(), lr=1e-3, weight_decay=weight_decay, fused=fused or None)
    return {'peer': (peer, peer_loss, opt(peer)), 'ours': (ours, made_loss, opt(ours))}

def batches(B:int):
    "Endless minibatches of binarized MNIST (train split)."
    x = load_binarized_mnist('train').float()
    while True:
        for i in range(0, len(x) - B + 1, B): yield x[i:i+B]

def step(model, loss_fn, opt, x):
    opt.zero_grad(); loss_fn(model, x).backward(); opt.step()

def step_parts(model, loss_fn, opt, x) -> tuple:
    "Seconds spent in forward+loss, backward and the optimizer step."
    t0 = time.perf_counter(); opt.zero_grad(); loss = loss_fn(model, x)
    t1 = time.perf_counter(); loss.backward()
    t2 = time.perf_counter(); opt.step()
    return t1 - t0, t2 - t1, time.perf_counter() - t2

def masking_seconds(model) -> float:
    "Time of the elementwise masking per step: W * mask for every layer, twice (forward, and the gradient in backward)."
    layers = [l for l in model.modules() if hasattr(l, 'mask')]
    t = time.perf_counter()
    for _ in range(20):
        for l in layers: l.weight.detach() * l.mask
    return 2 * (time.perf_counter() - t) / 20

def n_denormal(model, opt) -> int:
    "Number of denormal floats among the parameters and the optimizer's state."
    ts = [p.detach() for p in model.parameters()] + [v for s in opt.state.values() for v in s.values() if v.numel() > 1]
    tiny = torch.finfo(torch.float32).tiny
    return sum(int(((t != 0) & (t.abs() < tiny)).sum()) for t in ts)

@call_parse
def main(rounds:int=7, # interleaved rounds per configuration (0: skip the table)
         steps:int=20, # training steps timed per round and model
         fused:bool=False, # use Adam(fused=True) for both models
         decay_steps:int=0, # if > 0: also train this many steps with weight decay (Adam L2, AdamW), speed early/late
         threads:int=0 # torch threads (0: torch's default)
        ):
    if threads: torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, Adam{"(fused=True)" if fused else ""}, '
          f'{rounds} rounds x {steps} steps, median step time\n')
    if rounds:
        print('| sizes | batch | peer ex/s | ours ex/s | ours / peer | ours: forward / backward / Adam / masking (ms) |')
        print('|---|---|---|---|---|---|')
        for hidden in ([500], [500, 500]):
            for B in (100, 500):
                models, data = build(hidden, fused), batches(B)
                for m in models.values():
                    for _ in range(5): step(*m, next(data))
                times = {k: [] for k in models}
                for _ in range(rounds):
                    for k, m in models.items():
                        t = time.perf_counter()
                        for _ in range(steps): step(*m, next(data))
                        times[k].append((time.perf_counter() - t) / steps)
                parts = np.median([step_parts(*models['ours'], next(data)) for _ in range(steps)], 0) * 1e3
                peer, ours = (B / statistics.median(times[k]) for k in ('peer', 'ours'))
                print(f'| 784-{"-".join(map(str, hidden))}-784 | {B} | {peer:,.0f} | {ours:,.0f} | {ours / peer:.2f} | '
                      f'{parts[0]:.1f} / {parts[1]:.1f} / {parts[2]:.1f} / {masking_seconds(models["ours"][0]) * 1e3:.1f} |')
    if decay_steps:
        print(f'\nWeight decay, 784-500-784, batch 100, {decay_steps} steps: ex/s over the first and the last 100 steps, '
              'and denormal floats in weights and optimizer state at the end')
        for optimizer, wd in ((torch.optim.Adam, 1e-4), (torch.optim.AdamW, 1e-2)):
            models, data = build([500], fused, optimizer, wd), batches(100)
            for k, m in models.items():
                for i in range(decay_steps):
                    if i in (0, decay_steps - 100): t = time.perf_counter()
                    step(*m, next(data))
                    if i == 99: early = 100 * 100 / (time.perf_counter() - t)
                late = 100 * 100 / (time.perf_counter() - t)
                print(f'{k:5} {optimizer.__name__:5} weight_decay={wd:g}: {early:6,.0f} ex/s early, {late:6,.0f} ex/s late, '
                      f'{n_denormal(m[0], m[2]):,} denormals')
