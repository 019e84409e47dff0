"""Write README.md from nbs/index.ipynb without Quarto (nbdev_readme needs Quarto).

`python tools/make_readme.py` writes README.md; `--check` fails if README.md differs from what it would write.
Hidden cells (`#| hide`) are left out, directive lines removed, the code of `#| echo: false` cells left out,
outputs kept (markdown as markdown, else text), links to notebooks (`00_data.ipynb`) pointed at `nbs/` and links
to pages of the site (`results.html`) pointed at the published site (`doc_host` and `doc_baseurl` in
settings.ini), so that they work on GitHub whatever number a chapter's notebook has.
"""
import argparse, configparser, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def site_url():
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']['doc_host'].rstrip('/') + '/' + cfg['DEFAULT']['doc_baseurl'].strip('/')

def links(md):
    "Links that work on GitHub: notebooks under `nbs/`, pages of the site at its published address."
    md = re.sub(r'\]\(([\w.-]+\.ipynb)', r'](nbs/\1', md)
    return re.sub(r'\]\(([\w-]+\.html)', lambda m: '](' + site_url() + '/' + m.group(1), md)
_DIRECTIVE = re.compile(r'^\s*#\s*\|\s*(\S+)')

def _directives(src): return [m.group(1) for l in src.splitlines() if (m := _DIRECTIVE.match(l))]

def _output(out):
    "(kind, text) of one output: markdown as it is, anything else as text."
    if out.get('output_type') == 'stream': return 'text', ''.join(out['text'])
    data = out.get('data', {})
    if 'text/markdown' in data: return 'markdown', ''.join(data['text/markdown'])
    return 'text', ''.join(data.get('text/plain', ''))

def cell_markdown(cell):
    src = ''.join(cell['source'])
    if cell['cell_type'] == 'markdown': return links(src)
    if cell['cell_type'] != 'code' or {'hide', 'exporti'} & set(_directives(src)): return None
    code = '\n'.join(l for l in src.splitlines() if not _DIRECTIVE.match(l)).strip()
    parts = [] if re.search(r'^#\|\s*echo:\s*false', src, re.M) else [f'```python\n{code}\n```']
    outs = [_output(o) for o in cell.get('outputs', [])]
    text = ''.join(t for k, t in outs if k == 'text').strip('\n')
    if text: parts.append(f'```\n{text}\n```')
    parts += [links(t.strip('\n')) for k, t in outs if k == 'markdown']
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
