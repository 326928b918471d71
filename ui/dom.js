/**
 * Building elements. Strings become text nodes (Node.append), never markup: a job's name,
 * comment, path or output is shown as the characters it holds. The page's Content-Security-Policy
 * enforces Trusted Types with no policy, so handing a string to an HTML sink would throw anyway.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A <select> with a label's id, its options as [value, text] pairs, and one chosen. */
export function select(id, options, chosen, onchange) {
  return h('select', { id, onchange }, options.map(([value, text]) => h('option', { value, selected: value === chosen }, text)));
}

/** A message for role="status"/"alert" regions: replaces what was there. */
export function say(region, text, kind = 'info') {
  region.className = `message ${kind}`;
  region.replaceChildren(text);
}
