// The MADE mask explorer: numbers on the units, connections where the numbers allow them.
// arLecture.made holds the mathematics (checked against ar_lecture.masks); arLecture.explorers the mounted widgets.
(function () {
  'use strict';
  const ns = window.arLecture = window.arLecture || {};

  // ---- the lecture's rule, as in ar_lecture.masks (indices from 0, numbers from 1) ----
  function inputNumbers(ordering) {  // m(k): the position of input k in the ordering, counting from 1
    const m = new Array(ordering.length);
    ordering.forEach((k, i) => { m[k] = i + 1; });
    return m;
  }
  function masks(ordering, numbers) {  // one (units, previous units) 0/1 matrix per weight matrix
    const mIn = inputNumbers(ordering), ms = [mIn, ...numbers], out = [];
    for (let l = 0; l < numbers.length; l++) out.push(ms[l + 1].map((a) => ms[l].map((b) => (a >= b ? 1 : 0))));
    out.push(mIn.map((a) => ms[ms.length - 1].map((b) => (a > b ? 1 : 0))));  // into an output: strictly below
    return out;
  }
  function connectivity(layers) {  // [k][i] = 1 when output k is reached from input i by some path
    let reach = layers[0];
    for (const M of layers.slice(1)) reach = M.map((row) => reach[0].map((_, i) => (row.some((v, j) => v && reach[j][i]) ? 1 : 0)));
    return reach;
  }
  function pathEdges(layers, output) {  // per matrix, the connections on a path into `output`
    let on = layers[layers.length - 1].map((_, k) => k === output);
    const edges = [];
    for (let l = layers.length - 1; l >= 0; l--) {
      const e = layers[l].map((row, j) => row.map((v) => (v && on[j] ? 1 : 0)));
      edges.unshift(e);
      on = layers[l][0].map((_, i) => e.some((row) => row[i]));
    }
    return edges;
  }
  function cutOffOutputs(ordering, numbers) {  // inputs k, not first in the ordering, whose output reads nothing
    const mIn = inputNumbers(ordering);
    let low = 1;  // the smallest number among the previous layer's units that see an input
    for (const m of numbers) {
      const seeing = m.filter((v) => v >= low);
      low = seeing.length ? Math.min(...seeing) : mIn.length;
    }
    return mIn.map((v, k) => (v >= 2 && v <= low ? k : -1)).filter((k) => k >= 0);
  }
  function evenNumbers(n, d) {  // hidden_numbers(how='even'): evenly spread over 1..n-1
    return Array.from({ length: d }, (_, j) => Math.floor(j * (n - 1) / d) + 1);
  }
  ns.made = { inputNumbers, masks, connectivity, pathEdges, cutOffOutputs, evenNumbers };

  // ---- the widget ----
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const el = ns.el;
  const options = (values, chosen) => values.map((v) => {
    const o = el('option', { value: v }, String(v)); o.selected = v === chosen; return o;
  });
  const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  class Explorer {
    constructor(root, data) {
      this.ordering = data.ordering; this.numbers = data.numbers; this.output = data.output;
      this.root = root;
      this.nInput = el('select', { 'aria-label': 'number of inputs', onchange: () => this.resize() });
      this.layersInput = el('select', { 'aria-label': 'hidden layers', onchange: () => this.resize() });
      this.unitsInput = el('select', { 'aria-label': 'units per hidden layer', onchange: () => this.resize() });
      this.nInput.append(...options(range(2, 8), this.ordering.length));
      this.layersInput.append(...options([1, 2, 3], this.numbers.length));
      this.unitsInput.append(...options(range(1, 8), this.numbers[0].length));
      this.shuffleButton = el('button', { type: 'button', onclick: () => this.shuffle() }, 'Shuffle the ordering');
      this.naturalButton = el('button', { type: 'button', onclick: () => this.setOrdering(range(0, this.ordering.length - 1)) },
                              'Natural order');
      this.graph = svg('svg', { class: 'arl-graph', role: 'group', 'aria-label': 'the network' });
      this.matrix = el('table', { class: 'arl-matrix' });
      this.status = el('div', { class: 'arl-status', 'aria-live': 'polite' });
      root.append(
        el('div', { class: 'arl-bar' }, 'inputs ', this.nInput, ' hidden layers ', this.layersInput, ' units per layer ',
           this.unitsInput, ' ', this.shuffleButton, this.naturalButton),
        el('div', { class: 'arl-note' }, 'Click a hidden unit (or focus it and press Enter, or the arrow keys) to change its ' +
           'number; click an output to highlight (orange) the paths into it.'),
        el('div', { class: 'arl-panels' }, this.graph,
           el('figure', {}, this.matrix, el('figcaption', {}, 'connectivity: output k (row) depends on input i (column)'))),
        this.status);
      this.render();
    }

    // state changes, also the API the checks drive
    set(ordering, numbers, output) {  // a whole new network: ordering, hidden numbers, highlighted output
      this.ordering = ordering.slice(); this.numbers = numbers.map((m) => m.slice()); this.output = output;
      this.render();
    }
    setOrdering(ordering) { this.set(ordering, this.numbers, this.output); }
    setOutput(k) { this.set(this.ordering, this.numbers, k); }
    changeNumber(l, j, by) {  // layer l (0-based), unit j: its number moves by `by`, wrapping in 1..n-1
      const top = this.ordering.length - 1;
      this.numbers[l][j] = ((this.numbers[l][j] - 1 + by + top) % top) + 1;
      this.render();
      const unit = this.graph.querySelector(`[data-unit="${l},${j}"]`);
      if (unit) unit.focus();
    }
    resize() {
      const n = +this.nInput.value, L = +this.layersInput.value, d = +this.unitsInput.value;
      this.ordering = range(0, n - 1);
      this.numbers = Array.from({ length: L }, () => evenNumbers(n, d));
      this.output = Math.min(this.output, n - 1);
      this.render();
    }
    shuffle() {
      const o = this.ordering.slice();
      for (let i = o.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [o[i], o[j]] = [o[j], o[i]]; }
      this.setOrdering(o);
    }
    state() {
      const layers = masks(this.ordering, this.numbers);
      return { ordering: this.ordering.slice(), numbers: this.numbers.map((m) => m.slice()), output: this.output, masks: layers,
               connectivity: connectivity(layers), cutOff: cutOffOutputs(this.ordering, this.numbers) };
    }

    render() {
      const { masks: layers, connectivity: C, cutOff } = this.state();
      const n = this.ordering.length, mIn = inputNumbers(this.ordering);
      const rows = [mIn, ...this.numbers, mIn], gap = 70, step = 54;
      const width = Math.max(...rows.map((r) => r.length)) * step + 70, height = (rows.length - 1) * gap + 80;
      const g = this.graph;
      g.replaceChildren();
      g.setAttribute('viewBox', `0 0 ${width} ${height}`); g.setAttribute('width', width); g.setAttribute('height', height);
      const y = (l) => height - 40 - l * gap;
      const x = (l, i) => width / 2 + 15 + (i - (rows[l].length - 1) / 2) * step;
      const paths = pathEdges(layers, this.output);
      layers.forEach((M, l) => M.forEach((row, j) => row.forEach((v, i) => {
        if (!v) return;
        const on = paths[l][j][i];
        g.append(svg('line', { x1: x(l, i), y1: y(l), x2: x(l + 1, j), y2: y(l + 1), class: on ? 'arl-edge arl-path' : 'arl-edge' }));
      })));
      const last = rows.length - 1;
      rows.forEach((m, l) => {
        const name = l === 0 ? 'inputs' : l === last ? 'outputs' : `hidden ${l}`;
        g.append(svg('text', { x: 4, y: y(l) + 4, class: 'arl-layer' }, name));
        m.forEach((v, i) => {
          const hidden = l > 0 && l < last, cut = l === last && cutOff.includes(i), chosen = l === last && i === this.output;
          const unit = svg('g', { class: 'arl-unit' + (hidden || l === last ? ' arl-click' : '') + (cut ? ' arl-cut' : '') +
                                  (chosen ? ' arl-chosen' : ''), 'data-unit': `${l - 1},${i}` });
          unit.append(svg('circle', { cx: x(l, i), cy: y(l), r: 15 }), svg('text', { x: x(l, i), y: y(l) + 5 }, String(v)));
          if (l === 0 || l === last) {
            unit.append(svg('text', { x: x(l, i), y: y(l) + (l ? -21 : 31), class: 'arl-label' }, (l ? 'x̂' : 'x') + (i + 1)));
          }
          if (hidden) {
            unit.setAttribute('tabindex', 0); unit.setAttribute('role', 'button');
            unit.setAttribute('aria-label', `hidden layer ${l}, unit ${i + 1}, number ${v}; Enter or arrow up: raise, arrow down: lower`);
            unit.addEventListener('click', (e) => this.changeNumber(l - 1, i, e.shiftKey ? -1 : 1));
            unit.addEventListener('keydown', (e) => {
              const by = { Enter: 1, ' ': 1, ArrowUp: 1, ArrowRight: 1, ArrowDown: -1, ArrowLeft: -1 }[e.key];
              if (by) { e.preventDefault(); this.changeNumber(l - 1, i, by); }
            });
          } else if (l === last) {
            unit.setAttribute('tabindex', 0); unit.setAttribute('role', 'button');
            unit.setAttribute('aria-label', `output ${i + 1}${cut ? ', cut off' : ''}: highlight the paths into it`);
            unit.addEventListener('click', () => this.setOutput(i));
            unit.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.setOutput(i); } });
          }
          g.append(unit);
        });
      });
      // the connectivity matrix
      const head = el('tr', {}, el('th', {}, ''), ...range(1, n).map((i) => el('th', { scope: 'col' }, `x${i}`)));
      const body = C.map((row, k) => el('tr', { class: k === this.output ? 'arl-chosen' : '' },
        el('th', { scope: 'row' }, `x̂${k + 1}`),
        ...row.map((v) => el('td', { class: v ? 'arl-on' : '' }, v ? '1' : '0'))));
      this.matrix.replaceChildren(head, ...body);
      const sees = C[this.output].map((v, i) => (v ? `x${i + 1}` : null)).filter(Boolean);
      this.status.textContent = `output x̂${this.output + 1} (number ${mIn[this.output]}) depends on ` +
        (sees.length ? sees.join(', ') : 'no input') + '. ' +
        (cutOff.length ? `Cut off (number ≥ 2, yet they read no input): ${cutOff.map((k) => `x̂${k + 1}`).join(', ')}.`
                       : 'No output is cut off.');
    }
  }

  ns.explorers = ns.explorers || [];
  ns.mountExplorer = (script) => ns.mount(script, Explorer, ns.explorers);
})();
