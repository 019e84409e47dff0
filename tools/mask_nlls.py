"""The NLL of each mask of a saved MADE alone, and of the mixtures of its first k masks, on one split.

    python tools/mask_nlls.py runs/made-8000-4masks/model.pt            # test split
    python tools/mask_nlls.py runs/made-8000-4masks/model.pt --split valid

A MADE trained with several masks is one network with several autoregressive decompositions; this shows what
the mixture (`MaskEnsemble(model, k)`: log of the mean of p_i(x) over masks i < k) gains over the masks
it mixes. Each mask's log-likelihoods are computed once; the mixtures are formed from them (`first_k_log_probs`).
"""
import torch
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist
from ar_lecture.checkpoint import load_checkpoint
from ar_lecture.mixture import first_k_log_probs
from ar_lecture.train import log_likelihoods, NLL

def nats(log_p):
    nll = NLL.of(log_p)
    return f'{nll.mean:.2f} ± {nll.se:.2f}'

@call_parse
def main(checkpoint:str, # model.pt of a MADE trained with --masks K > 1
         split:str='test', # 'train', 'valid' or 'test'
         threads:int=None): # torch threads (default: torch's choice)
    if threads: torch.set_num_threads(threads)
    model, x = load_checkpoint(checkpoint), load_binarized_mnist(split)
    K = model.config.get('n_masks', 1)
    if K < 2: raise SystemExit(f'{checkpoint}: not a MADE trained with several masks')
    print(f'# {checkpoint}, {split} split, NLL in nats per image')
    per_mask = []
    for i in range(K):
        model.use_mask(i); per_mask.append(log_likelihoods(model, x))  # under the current mask
        print(f'mask {i} alone: {nats(per_mask[-1])}', flush=True)
    for k, log_p in enumerate(first_k_log_probs(torch.stack(per_mask))[1:], 2):  # the mixture of masks 0..k-1
        print(f'mixture of masks 0..{k-1}: {nats(log_p)}', flush=True)
