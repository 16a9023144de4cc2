// Keyboard shortcuts. The table below drives both the handler and the help
// overlay, so the two cannot disagree.

import { typing } from './input.js';

// [keys shown in help, description, key values matched, action name]
export const SHORTCUTS = [
  ['?', 'Show this help', ['?'], 'help'],
  ['Esc', 'Close the open panel or dialog; clear the selection', ['Escape'], 'escape'],
  ['← →', 'Previous / next image in the details panel', ['ArrowLeft', 'ArrowRight'], 'step'],
  ['+ −', 'Zoom in / out', ['+', '=', '-', '_'], 'zoom'],
  ['0', 'Show the whole plot', ['0'], 'home'],
  ['1 … 6', 'Switch layout (in the order of the layout buttons)', ['1', '2', '3', '4', '5', '6'], 'layout'],
  ['l', 'Toggle lasso mode (or hold Space)', ['l', 'L'], 'lasso'],
  ['/', 'Search', ['/'], 'search'],
  ['g', 'Show / hide filters', ['g', 'G'], 'filters'],
  ['c', 'Show / hide the hotspots panel', ['c', 'C'], 'panel'],
  ['[ ]', 'Smaller / bigger images', ['[', ']'], 'size'],
  ['n', 'New plot (when the server allows writes)', ['n', 'N'], 'newplot'],
  ['w a s d', 'Pan', ['w', 'a', 's', 'd', 'W', 'A', 'S', 'D'], 'pan'],
  ['r f', 'Zoom in / out while held', ['r', 'R', 'f', 'F'], 'flyZoom'],
  ['q e', 'Fly to the previous / next hotspot', ['q', 'Q', 'e', 'E'], 'hotspot'],
];

const MOUSE = [
  ['Drag', 'Pan (in lasso mode: draw a selection)'],
  ['Wheel, pinch', 'Zoom toward the pointer'],
  ['Double-click', 'Zoom in'],
  ['Click', 'Open an image'],
  ['Shift + click', 'Add or remove one image from the selection'],
  ['Shift + lasso', 'Add to the selection'],
  ['Drop an image file', 'Find similar images'],
];

// bindKeys calls actions[name](event) for each shortcut pressed outside text fields.
export function bindKeys(actions) {
  const byKey = new Map();
  for (const [, , keys, name] of SHORTCUTS) for (const k of keys) byKey.set(k, name);
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const name = byKey.get(e.key);
    if (!name) return;
    if (typing(e) && name !== 'escape') return;
    const act = actions[name];
    if (!act) return;
    if (act(e) !== false) e.preventDefault();
  });
}

export function renderHelp(table) {
  const row = (k, d) => {
    const tr = document.createElement('tr');
    const a = document.createElement('td');
    for (const part of k.split(' ')) {
      const kbd = document.createElement('kbd');
      kbd.textContent = part;
      a.append(kbd, ' ');
    }
    const b = document.createElement('td');
    b.textContent = d;
    tr.append(a, b);
    return tr;
  };
  table.replaceChildren(...SHORTCUTS.map(([k, d]) => row(k, d)), ...MOUSE.map(([k, d]) => row(k.replace(/ /g, '\u00a0'), d)));
}
