// The cue of a box that scrolls sideways (a table's columns, the heat map's chapters): "N
// columns out of view", with buttons that bring the items cut off into view one by one, and a
// shadow on each edge of the frame the box goes on past (app.css). One for every such box, so
// that they all behave alike.

import {h} from './dom.js';

// `items()` answers {items: [{r, shown}], left, right}: each item's box and whether it is whole
// in view, and where the items show once scrolled (right of sticky names, left of the box's
// right edge). `noun` names an item ("column"); `className` is added to the cue's own;
// `beforeUpdate` runs first in each update's frame (a heat map refits its heads there).
// Returns {element, update, destroy}.
export function scrollCue({scroller, frame, items, noun, className = '', beforeUpdate = null}) {
  const text = h('span', {class: 'scroll-cue-text'});
  const button = (dir, sign, label) => h('button', {type: 'button', class: 'button',
    dataset: {dir}, 'aria-label': label, text: sign, onclick: () => step(dir)});
  const element = h('div', {class: `scroll-cue ${className}`.trim(), hidden: true}, text,
    button('prev', '‹', `Show the ${noun}s to the left`),
    button('next', '›', `Show the ${noun}s to the right`));

  // Next: the first item cut off at the right comes to the left (after the names); previous:
  // the last one cut off at the left comes to the right.
  function step(dir) {
    const {items: all, left, right} = items();
    const cut = dir === 'next' ? all.find((x) => !x.shown && x.r.right > right + 1)
      : all.filter((x) => !x.shown && x.r.right <= right + 1).pop();
    if (!cut) return;
    const by = dir === 'next' ? cut.r.left - left : Math.min(-1, cut.r.right - right);
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    scroller.scrollBy({left: by, behavior: still ? 'auto' : 'smooth'});
  }

  let pending = 0;
  function update() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      if (!scroller.isConnected) return;
      if (beforeUpdate) beforeUpdate();
      const hidden = items().items.filter((x) => !x.shown).length;
      element.hidden = hidden === 0;
      text.textContent = `${hidden} ${noun}${hidden === 1 ? '' : 's'} out of view`;
      const atStart = scroller.scrollLeft <= 0;
      const atEnd = scroller.scrollLeft + scroller.clientWidth >= scroller.scrollWidth - 1;
      // aria-disabled, not disabled: a button pressed from the keyboard keeps the focus.
      element.querySelector('[data-dir="prev"]').setAttribute('aria-disabled', String(atStart));
      element.querySelector('[data-dir="next"]').setAttribute('aria-disabled', String(atEnd));
      // Shadows at the edges the box goes on past, clear of a vertical scrollbar.
      frame.classList.toggle('more-left', !atStart);
      frame.classList.toggle('more-right', !atEnd);
      frame.style.setProperty('--scrollbar', `${scroller.offsetWidth - scroller.clientWidth -
        2 * scroller.clientLeft}px`);
    });
  }
  scroller.addEventListener('scroll', update, {passive: true});
  const resizes = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
  if (resizes) resizes.observe(scroller);

  function destroy() {
    cancelAnimationFrame(pending);
    if (resizes) resizes.disconnect();
  }
  return {element, update, destroy};
}
