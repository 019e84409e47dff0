"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs Quarto).

`python tools/make_readme.py` writes README.md; `--check` fails if README.md differs from what it would write.
Hidden cells (`#| hide`) are left out, directive lines removed, text outputs kept, and links to notebooks
(`00_data.ipynb`) pointed at `nbs/` so they work on GitHub.
"""
import argparse, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_DIRECTIVE = re.compile(r'^\s*#\s*\|\s*(\S+)')

def _directives(src): return [m.group(1) for l in src.splitlines() if (m := _DIRECTIVE.match(l))]

def _text_output(out):
    if out.get('output_type') == 'stream': return ''.join(out['text'])
    return ''.join(out.get('data', {}).get('text/plain', ''))

def cell_markdown(cell):
    src = ''.join(cell['source'])
    if cell['cell_type'] == 'markdown': return re.sub(r'\]\((\d\d_[\w]+\.ipynb)', r'](nbs/\1', src)
    if cell['cell_type'] != 'code' or {'hide', 'exporti'} & set(_directives(src)): return None
    code = '\n'.join(l for l in src.splitlines() if not _DIRECTIVE.match(l)).strip()
    parts = [f'```python\n{code}\n```']
    outs = ''.join(_text_output(o) for o in cell.get('outputs', [])).strip('\n')
    if outs: parts.append(f'```\n{outs}\n```')
    return '\n\n'.join(parts)

def readme_text(nb_path=ROOT/'nbs'/'index.ipynb'):
    cells = json.loads(Path(nb_path).read_text())['cells']
    body = '\n\n'.join(md for c in cells if (md := cell_markdown(c)))
    return ('<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n'
            + body.strip() + '\n')

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--check', action='store_true', help='fail if README.md is out of date')
    args = p.parse_args()
    text, readme = readme_text(), ROOT/'README.md'
    if args.check:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `python tools/make_readme.py`')
        print('README.md matches nbs/index.ipynb')
    else: readme.write_text(text); print(f'wrote {readme}')
