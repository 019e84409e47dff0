"""Write a model-only copy of a checkpoint (no training state) with its floating-point weights stored in a smaller
dtype, and say what that changed.

    python tools/compact_checkpoint.py runs/made8000-32masks-c100/model.pt results/made-8000-32masks-c100/model.pt

The copy loads like any checkpoint (`load_checkpoint`), into the model's own float32 parameters; each weight is the
saved one rounded to the dtype (float16: 11 significant bits). Evaluate the copy before publishing its numbers.
"""
from pathlib import Path
import torch
from fastcore.script import call_parse
from ar_lecture.checkpoint import load_checkpoint, save_checkpoint

DTYPES = ('float16', 'bfloat16', 'float32', 'float64')

@call_parse
def main(src:str, # checkpoint to read, written by save_checkpoint or a Learner
         dst:str, # file to write: the model only
         dtype:str='float16'): # how to store the weights: 'float16', 'bfloat16', 'float32' or 'float64'
    if dtype not in DTYPES: raise SystemExit(f'dtype must be one of {list(DTYPES)}; got {dtype!r}')
    if Path(src).resolve() == Path(dst).resolve(): raise SystemExit('dst must not be src: write the copy elsewhere')
    model = load_checkpoint(src)
    copy = load_checkpoint(save_checkpoint(dst, model, dtype=getattr(torch, dtype)))
    before, after = model.state_dict(), copy.state_dict()
    change = max(((before[k] - after[k]).abs().max().item() for k in before if before[k].is_floating_point()), default=0.)
    mb = lambda p: Path(p).stat().st_size / 2**20
    print(f'{dst}: {mb(dst):.1f} MB ({src}: {mb(src):.1f} MB); weights stored as {dtype}, the largest change of a weight {change:.2g}')
