"""Write the masks of a saved MADE as plain arrays, for evaluating its weights with code other than this library's.

    python tools/export_masks.py results/made-8000-32masks-c100/model.pt results/made-8000-32masks-c100/masks.npz

A MADE rebuilds its masks from its config and a mask index (`MADE.mask_numbers`: the seeded draws of this library).
The file holds what the lecture's rule needs instead, for every mask i of the model: `orderings[i]`, the inputs in
the order they are taken (`orderings[i][j]` is the input taken j-th, 0-based), and `numbers_l[i]`, the numbers of the
units of hidden layer l (1..n-1). The rule (1-based as on the slides): input d has the number m(d) = its position in
the ordering, counting from 1; a hidden unit connects to units of the layer below numbered <= its own; output d to
hidden units numbered < m(d); a direct connection from input e to output d exists where m(e) < m(d).
`np.load(path)` reads it (integer arrays only, no pickle). `tools/independent_made_eval.py` uses it.
"""
import numpy as np, torch
from fastcore.script import call_parse
from ar_lecture.checkpoint import load_checkpoint

@call_parse
def main(checkpoint:str, # model.pt of a MADE
         out:str): # the .npz file to write
    model = load_checkpoint(checkpoint)
    c = model.config
    K = c['n_masks'] or 1
    masks = [model.mask_numbers(i) for i in range(K)]
    dtype = np.int16 if c['n_in'] < 2**15 else np.int32
    arrays = {'orderings': np.stack([o.numpy() for o, _ in masks]).astype(dtype)}
    for l in range(len(c['hidden_sizes'])):
        arrays[f'numbers_{l}'] = np.stack([numbers[l].numpy() for _, numbers in masks]).astype(dtype)
    np.savez_compressed(out, **arrays)
    print(f'{out}: {K} masks; ' + ', '.join(f'{k} {v.shape}' for k, v in arrays.items()))
