"""The NLL of each mask of a saved MADE alone, and of the mixtures of its first k masks, on one split.

    python tools/mask_nlls.py runs/made-8000-4masks/model.pt            # test split
    python tools/mask_nlls.py runs/made-8000-4masks/model.pt --split valid

A MADE trained with several masks is one network with several autoregressive decompositions; this shows what
the mixture (`log_prob(x, ensemble=k)`) gains over the masks it mixes.
"""
import torch
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist
from ar_lecture.train import load_checkpoint, evaluate

@call_parse
def main(checkpoint:str, # model.pt of a MADE trained with --masks K > 1
         split:str='test', # 'train', 'valid' or 'test'
         threads:int=None): # torch threads (default: torch's choice)
    if threads: torch.set_num_threads(threads)
    model, x = load_checkpoint(checkpoint), load_binarized_mnist(split)
    K = model.config.get('n_masks', 1)
    if K < 2: raise SystemExit(f'{checkpoint}: not a MADE trained with several masks')
    print(f'# {checkpoint}, {split} split, NLL in nats per image')
    for i in range(K):
        model.use_mask(i); nll = evaluate(model, x)
        print(f'mask {i} alone: {nll.mean:.2f} ± {nll.se:.2f}', flush=True)
    for k in range(2, K + 1):
        nll = evaluate(model, x, ensemble=k)
        print(f'mixture of masks 0..{k-1}: {nll.mean:.2f} ± {nll.se:.2f}', flush=True)
