"""Evaluate a saved MADE's mixture of masks with plain PyTorch and NumPy, without importing ar_lecture: a check of
the library's numbers by code that shares none of its model, mask or data code.

    python tools/independent_made_eval.py results/made-8000-32masks-c100 --data <folder with binarized_mnist.npz>

The folder holds `model.pt` (read with `torch.load(..., weights_only=True)`: tensors and plain values only) and
`masks.npz` (`tools/export_masks.py`: each mask's ordering and hidden numbers). From them, for each mask, the masks
of the lecture's rule (1-based numbers: an input's number is its position in the ordering; a hidden unit reads units
numbered <= its own, an output d hidden units numbered < m(d), a direct connection e -> d exists where m(e) < m(d)),
the logits relu(...relu(x W1^T + b1)...) V^T + c (+ x D^T), and log p(x) = sum over pixels of log sigmoid(+-logit).
The mixture of K masks is log(mean over masks of p(x)). Prints the NLL (nats per image) of the mixture and of each
mask on the chosen split, with the standard error of the mean.
"""
import math, os
from pathlib import Path
import numpy as np, torch, torch.nn.functional as F
from fastcore.script import call_parse

def load_split(data:Path, split:str) -> torch.Tensor:
    z = np.load(data/'binarized_mnist.npz')  # packed bits, one image per row
    return torch.from_numpy(np.unpackbits(z[split], axis=1)[:, :784].astype(np.float32))

def rule_masks(ordering:np.ndarray, numbers:list) -> tuple[list, torch.Tensor]:
    "The float masks of each layer (hidden layers, output) and of the direct connections, from the lecture's rule."
    n = len(ordering)
    m_in = np.empty(n, dtype=np.int64); m_in[ordering] = np.arange(1, n + 1)
    ms = [torch.from_numpy(m_in)] + [torch.from_numpy(m.astype(np.int64)) for m in numbers]
    layers = [(ms[l + 1][:, None] >= ms[l][None, :]).float() for l in range(len(ms) - 1)]
    layers.append((ms[0][:, None] > ms[-1][None, :]).float())
    return layers, (ms[0][:, None] > ms[0][None, :]).float()

@torch.no_grad()
def log_p(sd:dict, masks:list, direct:torch.Tensor, x:torch.Tensor, batch:int=1000) -> torch.Tensor:
    n_layers = len(masks)
    W = [sd[f'layers.{l}.weight'].float() * masks[l] for l in range(n_layers)]
    b = [sd[f'layers.{l}.bias'].float() for l in range(n_layers)]
    D = sd['direct.weight'].float() * direct if 'direct.weight' in sd else None
    out = []
    for xb in x.split(batch):
        h = xb
        for l in range(n_layers - 1): h = torch.relu(h @ W[l].T + b[l])
        logits = h @ W[-1].T + b[-1] + (xb @ D.T if D is not None else 0)
        out.append(F.logsigmoid(torch.where(xb > 0, logits, -logits)).sum(1).double())
    return torch.cat(out)

def nats(lp:torch.Tensor) -> str:
    return f'{-lp.mean().item():.4f} ± {lp.std().item() / math.sqrt(len(lp)):.2f}'

@call_parse
def main(folder:str, # holds model.pt and masks.npz
         data:str=None, # folder that holds binarized_mnist.npz (default: the AR_LECTURE_DATA environment variable)
         split:str='test', # 'train', 'valid' or 'test'
         threads:int=None): # torch threads (default: torch's choice)
    if threads: torch.set_num_threads(threads)
    folder = Path(folder)
    sd = torch.load(folder/'model.pt', weights_only=True, map_location='cpu')['model']
    mk = np.load(folder/'masks.npz')
    orderings = mk['orderings']
    numbers = [mk[f'numbers_{l}'] for l in range(len([k for k in mk.files if k.startswith('numbers_')]))]
    data = data or os.environ.get('AR_LECTURE_DATA')
    if not data: raise SystemExit('give --data: the folder that holds binarized_mnist.npz')
    x = load_split(Path(data), split)
    per_mask = []
    for i in range(len(orderings)):
        layers, direct = rule_masks(orderings[i], [nb[i] for nb in numbers])
        per_mask.append(log_p(sd, layers, direct, x))
    L = torch.stack(per_mask)
    mix = torch.logsumexp(L, 0) - math.log(len(L))
    alone = sorted(-l.mean().item() for l in per_mask)
    print(f'{folder}, {split} split ({len(x)} images), NLL in nats per image, computed without ar_lecture')
    print(f'mixture of its {len(L)} masks: {nats(mix)}')
    print(f'each mask alone: {alone[0]:.2f} to {alone[-1]:.2f} (mean {sum(alone) / len(alone):.2f})')
