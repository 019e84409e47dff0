// Drives the widgets of a test page (built by tools/widget_check.py) through their API and by simulated clicks and
// keys, then writes what it saw as JSON into a pre element (id widget-check-result) for the Python side to compare.
(async function () {
  'use strict';
  const cases = JSON.parse(document.getElementById('widget-check-cases').textContent);
  const out = {};
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (cond) => { for (let i = 0; i < 2000 && !cond(); i++) await sleep(20); return cond(); };
  const click = (e, opts) => e.dispatchEvent(new MouseEvent('click', { bubbles: true, ...opts }));
  const key = (e, k) => e.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  const change = (e, value, type) => { e.value = value; e.dispatchEvent(new Event(type || 'change', { bubbles: true })); };
  const button = (root, text) => [...root.querySelectorAll('button')].find((b) => b.textContent === text);
  const pointer = (canvas, row, col, side) => {
    const r = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, buttons: 1,
      clientX: r.left + (col + 0.5) * r.width / side, clientY: r.top + (row + 0.5) * r.height / side }));
  };
  try {
    // ---- the player: its mathematics on the given uniforms, for each model ----
    const P = arLecture.players[0], D = arLecture.players[1], S = arLecture.sampling;  // the NADE's player, the deep NADE's
    const run = (model, u, ordering) => {
      const s = S.sample(model, u, ordering);
      return { x: Array.from(s.x), p: Array.from(s.p), logp: s.logp };
    };
    out.models = cases.models.map((c, i) => {
      const model = [P, D][i].models[0], obs = Uint8Array.from(c.completions.observed);
      return {
        kind: model.kind,
        samples: c.samples.map((u) => run(model, Float32Array.from(u))),
        completions: c.completions.u.map((u, j) => run(model, S.forced(Float32Array.from(u), c.completions.x[j], obs),
                                                          model.anyOrder ? S.observedFirst(obs, model.first) : undefined)),
      };
    });

    // ---- the player driven as a reader drives it: the NADE ----
    const root = P.image.closest('.arl-widget');
    for (let i = 0; i < 3; i++) click(button(root, 'Step'));
    click(button(root, 'Row'));
    out.afterSteps = P.state().t;
    change(P.speed, '28'); click(P.playButton);
    out.playing = P.playButton.textContent;
    await until(() => P.sampler.done);
    out.played = P.state();
    change(P.seedInput, '7');
    click(P.playButton); await until(() => P.sampler.done);
    out.seed7 = P.state();
    change(P.seedInput, '7'); P.step(10000);
    out.seed7again = P.state().x;
    // draw mode: rows, pointer, keys, a click outside the drawn rows, then complete
    click(P.modeButton);
    out.drawNote = P.note.textContent;
    change(P.linesInput, '10', 'input');
    pointer(P.image, 5, 10, P.side); pointer(P.image, 6, 12, P.side);
    P.image.focus(); P.cursor = 8 * P.side + 3; key(P.image, 'ArrowRight'); key(P.image, ' ');
    pointer(P.image, 20, 10, P.side);  // below the drawn rows: ignored
    click(button(root, 'Complete')); await until(() => P.sampler.done);
    out.completed = P.state();
    // ---- the deep NADE's player: any set of pixels, here the left columns ----
    const droot = D.image.closest('.arl-widget');
    click(D.modeButton);
    out.deepNote = D.note.textContent;
    change(D.regionSelect, 'left'); change(D.linesInput, '10', 'input');
    pointer(D.image, 5, 3, D.side); pointer(D.image, 12, 8, D.side);
    D.image.focus(); D.cursor = 20 * D.side + 1; key(D.image, 'ArrowDown'); key(D.image, 'Enter');
    pointer(D.image, 5, 20, D.side);  // right of the drawn columns: ignored
    click(button(droot, 'Complete')); await until(() => D.sampler.done);
    out.deepCompleted = D.state();
    click(D.modeButton);  // back to sampling
    click(D.playButton); await until(() => D.sampler.done);
    out.deepPlayed = D.state();

    // ---- the explorer ----
    const E = arLecture.explorers[0], made = arLecture.made;
    out.explorerStart = E.state();
    out.configs = cases.configs.map((c) => {
      const pure = { masks: made.masks(c.ordering, c.numbers), cutOff: made.cutOffOutputs(c.ordering, c.numbers) };
      pure.connectivity = made.connectivity(pure.masks);
      E.set(c.ordering, c.numbers, c.output);
      const s = E.state();
      return { pure, widget: { masks: s.masks, connectivity: s.connectivity, cutOff: s.cutOff },
               lines: E.graph.querySelectorAll('line').length, pathLines: E.graph.querySelectorAll('line.arl-path').length,
               cutUnits: E.graph.querySelectorAll('.arl-cut').length };
    });
    // clicks and keys on the lecture's example: layer 2, unit 2 (number 2)
    E.set([0, 1, 2, 3], cases.lecture, 2);
    const unit = () => E.graph.querySelector('[data-unit="1,1"]');
    out.unitFocusable = [...E.graph.querySelectorAll('[data-unit]')].filter((u) => u.getAttribute('tabindex') === '0').length;
    click(unit()); out.afterClick = E.state();
    key(unit(), 'ArrowDown'); out.afterKey = E.state();
    click(unit(), { shiftKey: true }); out.afterShiftClick = E.state();
    click(E.graph.querySelector('[data-unit="2,3"]')); out.outputChosen = E.state().output;
    // a new shape from the selectors
    change(E.nInput, '6'); change(E.layersInput, '3'); change(E.unitsInput, '5');
    out.resized = E.state();
  } catch (err) {
    out.exception = String(err && err.stack || err);
  }
  out.problems = window.__widgetProblems;
  const pre = document.createElement('pre');
  pre.id = 'widget-check-result';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
})();
