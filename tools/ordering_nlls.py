"""The NLL of a saved DeepNADE under each of its first K orderings alone, and of the mixtures of its first k orderings,
on the validation and test splits; optionally written to a JSON file.

    python tools/ordering_nlls.py runs/deepnade-500/model.pt --ks 1,2,4,8,16
    python tools/ordering_nlls.py runs/deepnade-500/model.pt --ks 1,2,4,8,16 --out runs/deepnade-500/orderings.json
    python tools/ordering_nlls.py runs/deepnade-500-500/model.pt --ks 1,2,4,8,16,32,64,128 --cache runs/deepnade-500-500/lp

With `--cache DIR` each member's log-likelihoods on each split are kept in DIR (one small file per ordering and split,
written whole or not at all, read back without executing code), so an interrupted evaluation resumes where it
stopped and a larger K reuses the orderings already computed (the first k orderings of K are those of k). A cached
file is used only if it was computed from the same checkpoint (its SHA-256) under the same ordering. The JSON's
`seconds` are this run's; `from_cache` counts the (ordering, split) results it read instead of computing.

The ensemble of k orderings is the density `model.ensemble(k)`: log of the mean over the model's first k random
orderings of p(x | ordering), each exact (one hidden layer: NADE's kernel on [x, 1]). Each member's
log-likelihoods are computed once (the members of `model.ensemble(K)` for the largest K); the mixtures of the
first k are formed from them.
"""
import json, time, torch
from pathlib import Path
from fastcore.script import call_parse
from ar_lecture.data import load_binarized_mnist, sha256_file
from ar_lecture.files import atomic_write
from ar_lecture.checkpoint import load_checkpoint
from ar_lecture.report import environment
from ar_lecture.train import log_likelihoods, NLL
from ar_lecture.mixture import first_k_log_probs
from ar_lecture.deep_nade import DeepNADE

def member_log_likelihoods(member, x, split:str, i:int, cache:Path|None, digest:str, hits:list):
    "Member `i`'s log-likelihoods of `x`, from `cache` when it holds them for this checkpoint and ordering (then `hits` grows)."
    if cache is None: return log_likelihoods(member, x)
    f = cache / f'{split}-{i:04d}.pt'
    if f.exists():
        try:
            d = torch.load(f, weights_only=True)
            if d['checkpoint_sha256'] == digest and torch.equal(d['ordering'], member.ordering.cpu()) and len(d['log_p']) == len(x):
                hits.append(f.name); return d['log_p']
            print(f'{f.name}: from another checkpoint or ordering; recomputed', flush=True)
        except Exception as e: print(f'{f.name}: unreadable ({type(e).__name__}); recomputed', flush=True)
    lp = log_likelihoods(member, x)
    record = dict(checkpoint_sha256=digest, ordering=member.ordering.cpu().clone(), log_p=lp.clone())  # clones: a view saves its whole storage
    atomic_write(f, lambda fh: torch.save(record, fh))  # whole or not at all
    return lp

@call_parse
def main(checkpoint:str, # model.pt of a DeepNADE
         ks:str='1,2,4,8,16', # ensemble sizes, comma separated
         splits:str='valid,test', # splits to evaluate, comma separated
         out:str=None, # JSON file to write (default: print only)
         threads:int=None, # torch threads (default: torch's choice)
         cache:str=None): # folder keeping each ordering's log-likelihoods, to resume and to extend K
    if threads: torch.set_num_threads(threads)
    start, model = time.time(), load_checkpoint(checkpoint, expected=DeepNADE)
    if cache: cache = Path(cache); cache.mkdir(parents=True, exist_ok=True)
    digest = sha256_file(checkpoint) if cache else None
    ks = [int(k) for k in ks.split(',')]
    members = list(model.ensemble(max(ks)).components())  # the model under each of its first K orderings
    rows = {k: dict(k=k) for k in ks}
    alone, hits = {}, []
    for split in splits.split(','):
        x = load_binarized_mnist(split)
        lp = torch.stack([member_log_likelihoods(m, x, split, i, cache, digest, hits) for i, m in enumerate(members)])  # (K, N)
        alone[split] = [NLL.of(l).mean for l in lp]
        mixtures = first_k_log_probs(lp)  # row k-1: the mixture of the first k
        for k in ks:
            nll = NLL.of(mixtures[k - 1])
            rows[k][f'{split}_nll'], rows[k][f'{split}_se'] = nll.mean, nll.se
            print(f'{split}: {k} orderings: {nll}', flush=True)
    result = dict(checkpoint=str(checkpoint), config=model.config, ensembles=list(rows.values()), orderings_alone=alone,
                  command='python tools/ordering_nlls.py ' + ' '.join(f'--{k} {v}' if k != 'checkpoint' else v for k, v in
                          dict(checkpoint=checkpoint, ks=','.join(map(str, ks)), splits=splits).items()),
                  seconds=time.time() - start, from_cache=len(hits), environment=environment())  # seconds: this run's, not the cached members'
    if out: Path(out).write_text(json.dumps(result, indent=1) + '\n'); print(f'wrote {out}')
