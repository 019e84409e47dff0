// The NADE generation player: the lecture's incremental sampler, run in the page.
// arLecture.nade holds the mathematics (checked against the Python sampler); arLecture.players the mounted widgets.
(function () {
  'use strict';
  const ns = window.arLecture = window.arLecture || {};

  // ---- weights: base64 of little-endian float32 / int8 with one float32 scale per row ----
  function bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const floats = (b64) => new Float32Array(bytes(b64).buffer);
  function dequantize(m) {  // row r of the matrix is q[r, :] * scale[r], rounded to float32 as torch does
    const q = new Int8Array(bytes(m.q).buffer), scale = floats(m.scale), out = new Float32Array(q.length);
    const cols = m.shape[1];
    for (let i = 0; i < q.length; i++) out[i] = q[i] * scale[Math.floor(i / cols)];
    return out;
  }
  const ACTIVATIONS = {
    sigmoid: (a) => 1 / (1 + Math.exp(-a)),
    tanh: Math.tanh,
    relu: (a) => Math.max(a, 0),
  };
  function load(data) {
    return {
      n: data.n_in, d: data.n_hidden, ordering: data.ordering, act: ACTIVATIONS[data.activation],
      W: dequantize(data.W), V: dequantize(data.V),  // W (d, n), V (n, d), row-major
      b: floats(data.b), c: floats(data.c), h1: data.h1 ? floats(data.h1) : null,
    };
  }

  // ---- the sampler: x_k = [u_k < p(x_k = 1 | x_<k)], a_{k+1} = a_k + W[:, k] x_k (float32, as in Python) ----
  function logSigmoid(l) { return l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)); }
  class Sampler {
    constructor(model, u) {  // u: n uniforms, u[k] decides input k (u < 0 forces 1, u >= 1 forces 0)
      this.model = model; this.u = u; this.t = 0; this.logp = 0;
      this.a = new Float32Array(model.b);  // a_1 = b
      this.h = new Float32Array(model.d);
      this.x = new Uint8Array(model.n);
      this.p = new Float32Array(model.n).fill(NaN);
    }
    get done() { return this.t >= this.model.n; }
    step() {  // draw the next variable of the ordering; returns its index
      const m = this.model, k = m.ordering[this.t], d = m.d;
      if (this.t === 0 && m.h1) this.h.set(m.h1);
      else for (let j = 0; j < d; j++) this.h[j] = m.act(this.a[j]);
      let logit = m.c[k];
      for (let j = 0; j < d; j++) logit += this.h[j] * m.V[k * d + j];
      const p = Math.fround(1 / (1 + Math.exp(-logit)));
      const xk = this.u[k] < p ? 1 : 0;
      this.x[k] = xk; this.p[k] = p;
      this.logp += xk ? logSigmoid(logit) : logSigmoid(-logit);
      if (xk) for (let j = 0; j < d; j++) this.a[j] += m.W[j * m.n + k];  // Float32Array: a float32 sum
      this.t++;
      return k;
    }
  }
  function sample(model, u) {  // one full sample: {x, p, logp}
    const s = new Sampler(model, u);
    while (!s.done) s.step();
    return { x: s.x, p: s.p, logp: s.logp };
  }
  function forced(model, u, x, m) {  // the uniforms of a completion: the first m pixels of the ordering forced to x
    const out = new Float32Array(u);
    for (let i = 0; i < m; i++) { const k = model.ordering[i]; out[k] = x[k] ? -1 : 2; }
    return out;
  }
  function uniforms(n, seed) {  // the page's own generator (mulberry32): 24-bit uniforms, exact in float32
    let s = seed >>> 0;
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (s + 0x6D2B79F5) >>> 0;
      let r = Math.imul(s ^ (s >>> 15), 1 | s);
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
      u[i] = ((r ^ (r >>> 14)) >>> 8) / 16777216;
    }
    return u;
  }
  ns.nade = { load, Sampler, sample, forced, uniforms };

  // ---- the widget ----
  const el = ns.el;

  class Player {
    constructor(root, data) {
      this.model = load(data);
      const n = this.model.n;
      this.side = Math.round(Math.sqrt(n)); this.scale = 8;
      this.mode = 'generate'; this.observedRows = 14; this.drawing = new Uint8Array(n); this.cursor = 0;
      this.timer = null; this.perFrame = 1;
      this.build(root);
      this.reset(data.seed || 0);
      this.setMode('generate');
    }

    build(root) {
      const px = this.side * this.scale;
      const canvas = (label) => el('canvas', { width: px, height: px, 'aria-label': label, class: 'arl-canvas' });
      this.image = canvas('the image being generated; in draw mode, click or use the arrow keys and space to set pixels');
      this.image.tabIndex = 0;
      this.pmap = canvas('map of p(x_k = 1 | x_<k) for the pixels drawn so far');
      this.playButton = el('button', { type: 'button', onclick: () => this.toggle() }, 'Play');
      this.stepButton = el('button', { type: 'button', onclick: () => this.step(1) }, 'Step');
      this.rowButton = el('button', { type: 'button', onclick: () => this.step(this.side) }, 'Row');
      this.seedInput = el('input', { type: 'number', min: 0, value: 0, 'aria-label': 'seed', class: 'arl-seed',
                                     onchange: () => this.reset(+this.seedInput.value) });
      this.newButton = el('button', { type: 'button', onclick: () => this.reset(+this.seedInput.value + 1) }, 'New seed');
      this.speed = el('select', { 'aria-label': 'pixels per frame', onchange: () => { this.perFrame = +this.speed.value; } },
                      ...[1, 4, 28].map((v) => el('option', { value: v }, `${v} px/frame`)));
      this.modeButton = el('button', { type: 'button', onclick: () => this.setMode(this.mode === 'draw' ? 'generate' : 'draw') },
                           'Draw & complete');
      this.rowsInput = el('input', { type: 'range', min: 1, max: this.side - 1, value: this.observedRows,
                                     'aria-label': 'rows you draw', oninput: () => this.setObservedRows(+this.rowsInput.value) });
      this.completeButton = el('button', { type: 'button', onclick: () => this.complete() }, 'Complete');
      this.clearButton = el('button', { type: 'button', onclick: () => { this.drawing.fill(0); this.render(); } }, 'Clear');
      this.rowsLabel = el('span');
      this.drawBar = el('div', { class: 'arl-bar' }, 'Rows you draw: ', this.rowsInput, this.rowsLabel, ' ',
                        this.clearButton, this.completeButton);
      this.status = el('div', { class: 'arl-status' });
      this.note = el('div', { class: 'arl-note' });
      root.append(
        el('div', { class: 'arl-bar' }, this.playButton, this.stepButton, this.rowButton, ' seed ', this.seedInput,
           this.newButton, this.speed, this.modeButton),
        this.drawBar,
        el('div', { class: 'arl-panels' },
           el('figure', {}, this.image, el('figcaption', {}, 'x (grey: not drawn yet)')),
           el('figure', {}, this.pmap, el('figcaption', {}, 'p(x_k = 1 | x_<k)'))),
        this.status, this.note);
      this.image.addEventListener('pointerdown', (e) => this.paint(e, true));
      this.image.addEventListener('pointermove', (e) => { if (e.buttons) this.paint(e, false); });
      this.image.addEventListener('keydown', (e) => this.key(e));
    }

    // state
    reset(seed) {
      this.pause();
      this.seed = seed; this.seedInput.value = seed;
      this.u = uniforms(this.model.n, seed);
      this.sampler = new Sampler(this.model, this.u);
      this.render();
    }
    observedCount() { return this.observedRows * this.side; }
    setObservedRows(r) { this.observedRows = r; this.rowsInput.value = r; this.render(); }
    setMode(mode) {
      this.pause(); this.mode = mode;
      this.drawBar.hidden = mode !== 'draw';
      this.modeButton.textContent = mode === 'draw' ? 'Back to sampling' : 'Draw & complete';
      this.modeButton.setAttribute('aria-pressed', mode === 'draw');
      this.note.textContent = mode === 'draw'
        ? 'This NADE has one fixed ordering (row by row from the top left), so what you draw must be a prefix of it: ' +
          'you set the pixels of the top rows, and the model draws the rest from p(x_rest | x_drawn).'
        : 'Each pixel is drawn from p(x_k = 1 | x_<k) given the pixels drawn before it, in the model\'s ordering.';
      if (mode === 'draw') this.sampler = new Sampler(this.model, this.u);
      this.render();
    }
    setPixel(k, v) {  // draw mode: set pixel k (input index) of the drawing, if it is in the observed prefix
      const pos = this.model.ordering.indexOf(k);
      if (pos < 0 || pos >= this.observedCount()) return false;
      this.drawing[k] = v ? 1 : 0;
      this.sampler = new Sampler(this.model, this.u);
      this.render();
      return true;
    }
    complete() {  // sample with the drawn prefix forced, then play the rest
      const m = this.observedCount();
      this.sampler = new Sampler(this.model, forced(this.model, this.u, this.drawing, m));
      while (this.sampler.t < m) this.sampler.step();
      this.render();
      this.play();
    }
    step(k) {
      for (let i = 0; i < k && !this.sampler.done; i++) this.sampler.step();
      this.render();
      if (this.sampler.done) this.pause();
    }
    play() {
      if (this.timer || this.sampler.done) return;
      this.playButton.textContent = 'Pause';
      const tick = () => { this.step(this.perFrame); if (this.timer) this.timer = setTimeout(tick, 15); };
      this.timer = setTimeout(tick, 15);
    }
    pause() {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null; this.playButton.textContent = 'Play';
    }
    toggle() {
      if (this.timer) return this.pause();
      if (this.sampler.done) this.sampler = new Sampler(this.model, this.sampler.u);  // play again from the start
      this.play();
    }
    state() {
      const s = this.sampler;
      return { t: s.t, x: Array.from(s.x), p: Array.from(s.p), logp: s.logp, u: Array.from(s.u), seed: this.seed,
               mode: this.mode, observed: this.observedCount(), drawing: Array.from(this.drawing) };
    }

    // drawing by pointer and keyboard
    paint(e, start) {
      if (this.mode !== 'draw') return;
      const r = this.image.getBoundingClientRect();
      const col = Math.floor((e.clientX - r.left) / r.width * this.side), row = Math.floor((e.clientY - r.top) / r.height * this.side);
      if (col < 0 || row < 0 || col >= this.side || row >= this.side) return;
      const k = row * this.side + col;
      if (start) this.ink = this.drawing[k] ? 0 : 1;
      this.cursor = k;
      this.setPixel(k, this.ink);
    }
    key(e) {
      if (this.mode !== 'draw') return;
      const s = this.side, moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -s, ArrowDown: s };
      if (e.key in moves) this.cursor = Math.min(Math.max(this.cursor + moves[e.key], 0), s * s - 1);
      else if (e.key === ' ' || e.key === 'Enter') this.setPixel(this.cursor, !this.drawing[this.cursor]);
      else return;
      e.preventDefault(); this.render();
    }

    // pictures
    render() {
      const s = this.sampler, m = this.model, n = m.n, draw = this.mode === 'draw', obs = this.observedCount();
      const fill = (ctx, k, colour) => {
        ctx.fillStyle = colour;
        ctx.fillRect((k % this.side) * this.scale, Math.floor(k / this.side) * this.scale, this.scale, this.scale);
      };
      const grey = (v) => { const g = Math.round(255 * (1 - v)); return `rgb(${g},${g},${g})`; };  // 0 white, 1 black
      const ic = this.image.getContext('2d'), pc = this.pmap.getContext('2d');
      for (let pos = 0; pos < n; pos++) {
        const k = m.ordering[pos], drawn = pos < s.t;
        const inPrefix = draw && !drawn && pos < obs;
        fill(ic, k, grey(drawn ? s.x[k] : inPrefix ? (this.drawing[k] ? 1 : 0.08) : 0.3));
        fill(pc, k, drawn ? grey(s.p[k]) : '#e7ecf5');
      }
      const box = (ctx, k, colour) => {
        ctx.strokeStyle = colour; ctx.lineWidth = 2;
        ctx.strokeRect((k % this.side) * this.scale + 1, Math.floor(k / this.side) * this.scale + 1, this.scale - 2, this.scale - 2);
      };
      if (!s.done) { box(ic, m.ordering[s.t], '#e8590c'); box(pc, m.ordering[s.t], '#e8590c'); }
      if (draw) {
        if (s.t === 0) {  // the border of what the reader may draw
          ic.strokeStyle = '#1c7ed6'; ic.lineWidth = 2;
          ic.beginPath(); ic.moveTo(0, this.observedRows * this.scale); ic.lineTo(this.image.width, this.observedRows * this.scale); ic.stroke();
          box(ic, this.cursor, '#1c7ed6');
        }
        this.rowsLabel.textContent = ` ${this.observedRows} of ${this.side} (the first ${obs} pixels of the ordering)`;
      }
      this.status.textContent = `step ${s.t} of ${n} · log p(x drawn so far) = ${s.logp.toFixed(2)} nats` +
        (s.done ? ` · the whole image: log p(x) = ${s.logp.toFixed(2)} nats` : '');
    }
  }

  ns.players = ns.players || [];
  ns.mountPlayer = (script) => ns.mount(script, Player, ns.players);
})();
