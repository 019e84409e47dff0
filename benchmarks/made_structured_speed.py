"""Training-step speed of the structured MADE (`MADE(..., layers='structured')`) next to the peers' MADEs as their
users run them and next to the dense masked MADE with the same optimizer, all in one process, rounds interleaved
(round k starts at the k-th implementation, so that none always runs first).

A training step is what each implementation's own training script does per minibatch:
- structured / dense (this library), as its `Learner` steps: `on_train_batch`, the summed binary cross-entropy
  averaged over the batch with its gradients (`nll_backward`: the structured MADE's backward pass written out, autograd
  for the dense one), `loss.item()`, optimizer step; Adam lr 1e-3 as the trainer makes it (`make_optimizer`: the
  library's `CompiledAdam`, one compiled pass per parameter group), PyTorch's fused Adam (`torch.optim.Adam(fused=True)`)
  or torch's default implementation (foreach). Three more structured rows: the backward pass by autograd (`nll_loss(...).backward()`) instead; every layer cut into blocks of rows (`by='rows'`), against
  the default that cuts an output layer with at least twice as many inputs as units into blocks of columns; and the
  first layer multiplying its blocks by x (`binary=False`) instead of adding the weights of the inputs that are on.
- karpathy/pytorch-made (`made.py`, stepped as in its `run.py`): `update_masks` every 20 steps, logits accumulated into
  `zeros_like(x)`, `binary_cross_entropy_with_logits(..., reduction='sum') / B`, `loss.item()`, Adam(lr 1e-3,
  weight_decay 1e-4).
- EugenHotaj/pytorch-generative (`models/autoregressive/made.py`, stepped as its `Trainer` does): the model draws its
  masks in every forward, loss `sum(dim=1).mean()`, `clip_grad_norm_(params, 1e50)` (the trainer logs the norm),
  `loss.item()`, Adam() (lr 1e-3).
The peers' model code is read at run time from their repositories (never copied here). Get them with git:

    git clone https://github.com/karpathy/pytorch-made
    git clone https://github.com/EugenHotaj/pytorch-generative
    python benchmarks/made_structured_speed.py --karpathy_repo pytorch-made --generative_repo pytorch-generative

(a path may be a checkout or a bare git directory; HEAD is read). Every implementation first takes two untimed steps,
one that cycles masks a whole cycle (32 steps), so that the timed steps are those of a training run under way. Each
row reports the median step time over the rounds, examples per second, and its ratio to the arithmetic floor: the
FLOPs of the structured MADE's work (`floor_flops`: the block products of the hidden and output layers, forward, weight
and input gradients; in the first layer one add per weight of an input that is on, forward and weight gradient) at the
sgemm rate measured in the same run (2048 x 2048 x 2048 float32 products, best of 5) with the same number of threads.
"""
import statistics, subprocess, sys, time, types
from pathlib import Path
import torch, torch.nn.functional as F
from fastcore.script import call_parse
from ar_lecture.made import MADE
from ar_lecture.mixture import MaskEnsemble
from ar_lecture.structured import StaircaseLinear
from ar_lecture.train import nll_loss, nll_backward, make_optimizer
from made_speed import batches

def peer_source(repo:str, file:str) -> str:
    "The text of `file` at HEAD of the repository `repo` (a checkout or a bare git directory)."
    p = Path(repo)
    if (p/file).is_file(): return (p/file).read_text()
    git_dir = p/'.git' if (p/'.git').exists() else p
    return subprocess.run(['git', '--git-dir', str(git_dir), 'show', f'HEAD:{file}'], capture_output=True, text=True,
                          check=True).stdout

def module_from(name:str, source:str, filename:str) -> types.ModuleType:
    "A module called `name` made by running `source`."
    mod = types.ModuleType(name)
    sys.modules[name] = mod
    exec(compile(source, filename, 'exec'), mod.__dict__)
    return mod

def load_karpathy(repo:str) -> type:
    return module_from('karpathy_made', peer_source(repo, 'made.py'), 'pytorch-made/made.py').MADE

def load_generative(repo:str) -> type:
    "pytorch-generative's MADE with its base module, without importing the rest of the package (data sets, trainer)."
    pkg, models = types.ModuleType('pytorch_generative'), types.ModuleType('pytorch_generative.models')
    sys.modules.update({'pytorch_generative': pkg, 'pytorch_generative.models': models})
    pkg.models = models
    models.base = module_from('pytorch_generative.models.base', peer_source(repo, 'pytorch_generative/models/base.py'),
                              'pytorch-generative/base.py')
    f = 'pytorch_generative/models/autoregressive/made.py'
    return module_from('pytorch_generative.models.autoregressive.made', peer_source(repo, f), f'pytorch-generative/{f}').MADE

class Runner:
    "One implementation's training step, as its users run it."
    def __init__(self, name, model, opt, step): self.name, self.model, self.opt, self._step, self.i = name, model, opt, step, 0
    def step(self, x):
        self._step(self, x); self.i += 1

ADAMS = {'compiled': lambda p: make_optimizer('adam', p, 1e-3, torch.device('cpu')),
         'fused': lambda p: torch.optim.Adam(p, 1e-3, fused=True), 'default': lambda p: torch.optim.Adam(p, 1e-3)}

def ours(layers:str, hidden:int, adam:str, n_masks:int=1, by_rows:bool=False, products:bool=False,
         autograd:bool=False) -> Runner:
    m = MADE(784, [hidden], ordering='random' if n_masks != 1 else None, n_masks=n_masks, layers=layers)
    if by_rows or products:  # every layer cut into blocks of rows, or the first layer multiplying its blocks
        for i, l in enumerate(m.layers):
            m.layers[i] = StaircaseLinear(l.in_features, l.out_features, l.bias is not None, fixed=l.fixed,
                                          by='rows' if by_rows else None)
        m.use_mask(0)
    opt = ADAMS[adam](m.parameters())
    def step(r, x):  # the Learner's step
        r.model.on_train_batch(); r.opt.zero_grad()
        if autograd: (loss := nll_loss(r.model, x, check=False)).backward()
        else: loss = nll_backward(r.model, x, check=False)
        loss.item(); r.opt.step()
    masks = f', {n_masks} masks' if n_masks != 1 else ''
    how = (', all cut by rows' if by_rows else ', block products for x' if products else
           ', backward by autograd' if autograd and layers == 'structured' else '')
    return Runner(f'{layers} (ours){masks}{how}, Adam({adam})', m, opt, step)

def karpathy(cls, hidden:int) -> Runner:
    m = cls(784, [hidden], 784, num_masks=1)
    def step(r, x):
        if r.i % 20 == 0: r.model.update_masks()
        xbhat = torch.zeros_like(x); xbhat += r.model(x); xbhat /= 1
        loss = F.binary_cross_entropy_with_logits(xbhat, x, reduction='sum') / len(x)
        loss.item(); r.opt.zero_grad(); loss.backward(); r.opt.step()
    return Runner('karpathy/pytorch-made, Adam(wd 1e-4)', m, torch.optim.Adam(m.parameters(), 1e-3, weight_decay=1e-4), step)

def generative(cls, hidden:int) -> Runner:
    m = cls(input_dim=784, hidden_dims=[hidden], n_masks=1)
    def step(r, x):
        r.model.train(); r.opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(r.model(x), x, reduction='none').sum(dim=1).mean()
        loss.backward(); torch.nn.utils.clip_grad_norm_(r.model.parameters(), 1e50); r.opt.step(); loss.item()
    return Runner('pytorch-generative, Adam()', m, torch.optim.Adam(m.parameters()), step)

def sgemm_rate(n:int=2048) -> tuple[float, float]:
    "FLOP/s of an n x n x n float32 product, best of 5, by the wall clock and by the process's CPU time."
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    times = [_times(lambda: a @ b) for _ in range(5)]
    return tuple(2 * n**3 / min(t[i] for t in times) for i in (0, 1))

def _times(f) -> tuple[float, float]:
    "Wall-clock and CPU seconds (all threads of this process) of `f()`."
    t, c = time.perf_counter(), time.process_time(); f()
    return time.perf_counter() - t, time.process_time() - c

def _time(f) -> float: return _times(f)[0]

def ensemble_timing(hidden:int, K:int, threads:int, n:int=1000):
    "Per mask: seconds to set the mask the first time and again, and of `log_prob` on `n` validation images, structured and dense."
    from ar_lecture.data import load_binarized_mnist
    x = load_binarized_mnist('valid')[:n].float()
    for layers in ('structured', 'dense'):
        m = MADE(784, [hidden], ordering='random', n_masks=K, layers=layers).eval()
        with torch.no_grad():
            t_first = statistics.median(_times(lambda: m.use_mask(i))[1] for i in range(K))
            t_again = statistics.median(_times(lambda: m.use_mask(i))[1] for i in range(K))
            t_eval = _times(lambda: MaskEnsemble(m, K).log_prob(x, check=False))[1] / K
        print(f'| 784-{hidden}-784 | {threads} | {layers} | {t_first * 1e3:.1f} | {t_again * 1e3:.1f} | {t_eval * 1e3:.0f} |',
              flush=True)

def floor_flops(model:MADE, x:torch.Tensor) -> float:
    "FLOPs of the structured work of one training step on the minibatch `x`: the block products (forward, weight gradients, input gradients of the layers that do not read x) and, in a layer with binary inputs, one add per weight of an input that is on (forward and weight gradient)."
    from ar_lecture.structured import block_work, binary_lists
    flops = 0
    for l in model.masked_layers():
        reads_x = l is model.layers[0] or l is model.direct
        if l.binary:
            lists = binary_lists(x, l.st)
            flops += 2 * int(((lists.col_start[1:] - lists.col_start[:-1]) * (l.out_features - lists.first)).sum())
        else: flops += 2 * len(x) * block_work(l.st) * (2 if reads_x else 3)
    return flops

@call_parse
def main(karpathy_repo:str=None, # karpathy/pytorch-made: a checkout or bare git directory (None: leave it out)
         generative_repo:str=None, # EugenHotaj/pytorch-generative: a checkout or bare git directory (None: leave it out)
         hidden:str='8000,500', # hidden sizes to run, one hidden layer each
         batch:str='100,500', # batch sizes
         threads:str='1,2', # torch thread counts
         rounds:int=5, # interleaved rounds, each starting at the next implementation
         steps:int=5, # timed steps per round and implementation
         masks:int=32, # also time order-agnostic training with this many masks cycled (0: leave it out)
         ensemble:int=32 # also time the evaluation of an ensemble of this many masks, 1000 images (0: leave it out)
        ):
    K = load_karpathy(karpathy_repo) if karpathy_repo else None
    G = load_generative(generative_repo) if generative_repo else None
    torch.manual_seed(0)
    print(f'torch {torch.__version__}; {rounds} interleaved rounds x {steps} steps (round k starts at the k-th implementation); median step time by the wall clock '
          f'and by the CPU time of this process (all its threads; robust to other jobs taking the cores); ratios to the '
          f'floor of the structured work at the sgemm rate measured the same way')
    for nt in map(int, threads.split(',')):
        torch.set_num_threads(nt)
        rate = sgemm_rate()
        print(f'\n## {nt} thread{"s" * (nt > 1)}: sgemm {rate[0] / 1e9:.0f} GFLOP/s (wall), {rate[1] / 1e9:.0f} GFLOP/s (CPU)\n')
        print('| sizes | B | implementation | ms/step wall | ms/step CPU | ex/s wall | x floor wall | x floor CPU | '
              'structured is faster by, wall | by CPU |')
        print('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|')
        for h in map(int, hidden.split(',')):
            for B in map(int, batch.split(',')):
                runners = [ours('structured', h, 'compiled'), ours('structured', h, 'fused'), ours('structured', h, 'default'),
                           ours('structured', h, 'compiled', by_rows=True), ours('structured', h, 'compiled', products=True),
                           ours('structured', h, 'compiled', autograd=True),
                           ours('dense', h, 'compiled'), ours('dense', h, 'fused'), ours('dense', h, 'default')]
                if K: runners.append(karpathy(K, h))
                if G: runners.append(generative(G, h))
                if masks: runners += [ours('structured', h, 'compiled', masks), ours('dense', h, 'compiled', masks)]
                data = batches(B)
                for r in runners:  # warm; a cycle of masks is gone through once (a structured MADE sorts each mask once)
                    for _ in range(max(2, masks) if 'masks' in r.name else 2): r.step(next(data))
                times = {r.name: [] for r in runners}
                for k in range(rounds):  # each round starts at the next implementation: none is always first
                    for r in runners[k % len(runners):] + runners[:k % len(runners)]:
                        xs = [next(data) for _ in range(steps)]
                        t = _times(lambda: [r.step(x) for x in xs])
                        times[r.name].append((t[0] / steps, t[1] / steps))
                floor = [statistics.mean(floor_flops(runners[0].model, next(data)) for _ in range(5)) / rate[i] for i in (0, 1)]
                med = {k: [statistics.median(t[i] for t in v) for i in (0, 1)] for k, v in times.items()}
                for r in runners:  # against the structured MADE with the same masks
                    (w, c), ref = med[r.name], med[runners[-2 if 'masks' in r.name else 0].name]
                    print(f'| 784-{h}-784 | {B} | {r.name} | {w * 1e3:.1f} | {c * 1e3:.1f} | {B / w:,.0f} | '
                          f'{w / floor[0]:.2f} | {c / floor[1]:.2f} | {w / ref[0]:.2f} | {c / ref[1]:.2f} |', flush=True)
                del runners
        if ensemble:
            print(f'\nEvaluation of a {ensemble}-mask ensemble on 1000 validation images, per mask:\n')
            print('| sizes | threads | layers | setting the mask, first time (CPU ms, median) | again | log_prob under it (CPU ms) |')
            print('|---|---:|---|---:|---:|---:|')
            for h in map(int, hidden.split(',')): ensemble_timing(h, ensemble, nt)
