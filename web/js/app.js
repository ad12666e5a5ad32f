// The web UI's entry point: the session, the navigation that follows the person's roles, and
// the router that mounts one view per page. Views live in ./views/, one module each.

import * as api from './api.js';
import {h, clear, errorBox} from './dom.js';
import * as router from './router.js';
import {loadColumns} from './columns.js';
import {abilities} from './roles.js';
import {scopeSentence, asOfText, todayIn} from './scope.js';
import {signInView} from './views/signin.js';
import {coursesView} from './views/courses.js';
import {courseView} from './views/course.js';
import {groupsView} from './views/groups.js';
import {userView} from './views/user.js';
import {historyView} from './views/history.js';
import {reportView} from './views/report.js';
import {personView} from './views/person.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const scopeLine = document.getElementById('scope');

let session = null;
let mounted = null;  // {key, view}

// [pattern, view, who may open it]; `:x` segments are parameters.
const ROUTES = [
  [['courses'], coursesView, () => true],
  [['courses', ':course'], courseView, (a) => a.courseDetail],
  [['courses', ':course', 'groups'], groupsView, (a) => a.groups],
  [['courses', ':course', 'groups', ':group'], courseView, (a) => a.groups],
  [['courses', ':course', 'users', ':user'], userView, (a, p) => a.canSeeUser(p.user)],
  [['courses', ':course', 'users', ':user', 'exercises', ':exercise'], historyView,
    (a, p) => a.canSeeUser(p.user)],
  [['report'], reportView, (a) => a.report],
  [['users', ':user'], personView, (a, p) => a.canSeeUser(p.user)],
];

function match(segments) {
  for (const [pattern, view, allowed] of ROUTES) {
    if (pattern.length !== segments.length) continue;
    const params = {};
    if (pattern.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = segments[i];
        return true;
      }
      return part === segments[i];
    })) return {pattern, view, allowed, params};
  }
  return null;
}

// The freshest Cohort-As-Of of the current page's answers (reset when another page mounts).
let asOf = null;
api.onAsOf((value) => {
  if (asOf && Date.parse(value) < Date.parse(asOf)) return;
  asOf = value;
  renderScope();
});

// The line under the top bar: whose figures, as of when, in which zone (issue 20 point 4).
function renderScope() {
  clear(scopeLine);
  scopeLine.hidden = !session;
  if (!session) return;
  const parts = [h('span', {class: 'scope-who', text: scopeSentence(session)})];
  if (asOf) {
    parts.push(h('time', {class: 'scope-as-of', datetime: asOf, title: asOf,
      text: asOfText(asOf, session.zone ? todayIn(session.zone) : null)}));
  }
  if (session.zone) parts.push(h('span', {class: 'scope-zone', text: `times in ${session.zone}`}));
  parts.forEach((p, i) => scopeLine.append(i ? ' · ' : '', p));
}

function renderChrome(a) {
  clear(nav);
  clear(who);
  renderScope();
  if (!session) return;
  const {segments} = router.current();
  const link = (text, segs, active) => h('a', {href: router.href(segs),
    'aria-current': active ? 'page' : null, text});
  nav.append(link(a.learnerOnly ? 'My courses' : 'All courses', ['courses'],
    segments[0] === 'courses'));
  if (a.report) {
    nav.append(link(a.groupManager ? 'Report' : 'Account report', ['report'],
      segments[0] === 'report'));
  }
  // The person's name opens their own overview (issue 20 point 6).
  who.append(h('a', {class: 'who-name', href: router.href(['users', a.me]), text: a.displayName,
    'aria-current': segments[0] === 'users' && segments[1] === a.me ? 'page' : null}),
    h('button', {type: 'button', class: 'button subtle', id: 'sign-out', text: 'Sign out',
      onclick: async () => {
        try {
          await api.signOut();
        } finally {
          session = null;
          router.go('#/signin');
        }
      }}));
}

// The page of a route that does not exist, or of a key that does not (or not for this person):
// one page for every such case, as the API answers 404 for each.
function showNotFound() {
  clear(main).append(errorBox({status: 404}));
  document.title = 'Not found · Cohort';
}

function unmount() {
  if (mounted && mounted.view && mounted.view.destroy) mounted.view.destroy();
  mounted = null;
}

async function render() {
  // The positions this entry was left at, if Back (or a reload) brought it: read before
  // anything scrolls.
  const scroll = router.savedScroll();
  const route = router.current();
  const {segments} = route;
  if (segments[0] === 'signin') {
    if (session) {  // already signed in: the sign-in page has nothing to offer
      router.replace(abilities(session).landing);
      return;
    }
    unmount();
    renderChrome(null);
    mounted = {key: 'signin', view: signInView(main, route, {
      onSignedIn: (s) => {
        session = s;
        const next = route.params.get('next');
        router.replace(next && next.startsWith('#/') && !next.startsWith('#/signin')
          ? next : '#/');
      },
    })};
    return;
  }
  if (!session) {
    try {
      session = await api.currentSession();
    } catch (e) {
      unmount();
      clear(main).append(errorBox(e));
      return;
    }
    if (!session) {
      router.replace(router.href(['signin'], segments.length ? {next: location.hash} : {}));
      return;
    }
  }
  const a = abilities(session);
  renderChrome(a);
  if (segments.length === 0) {
    router.replace(a.landing);
    return;
  }
  const found = match(segments);
  const key = found ? found.pattern.join('/') + '|' + segments.join('/') : '';
  if (mounted && mounted.key === key && mounted.view.update) {
    mounted.view.update(route);
    return;
  }
  unmount();
  clear(main);
  asOf = null;  // this page's answers say theirs
  renderScope();
  if (!found || !found.allowed(a, found.params)) {
    showNotFound();
    mounted = {key: '', view: null};
    router.pauseScrollSaving(false);
    return;
  }
  const ctx = {session, abilities: a, route, params: found.params,
    onUnauthorized: () => {
      session = null;
      router.replace(router.href(['signin'], {next: location.hash}));
    },
    notFound: showNotFound,
    ready: null};  // the view's loading (common.js withStates)
  router.pauseScrollSaving(true);
  const mine = {key, view: found.view(main, route, ctx)};
  mounted = mine;
  main.focus({preventScroll: true});
  window.scrollTo(0, 0);
  // Back to where the person was, once the rows are in (before, the page is not that tall).
  Promise.resolve(ctx.ready).finally(() => {
    if (mounted !== mine) return;  // another page since
    if (scroll) router.restoreScroll(scroll);
    router.pauseScrollSaving(false);
  });
}

document.getElementById('skip-link').addEventListener('click', () => main.focus());

// The tables' columns come from the server's declaration: loaded once, before any view mounts
// (no view may build a table without them). Without them, the error box and no views.
async function boot() {
  try {
    await loadColumns(api.get);
  } catch (e) {
    clear(main).append(errorBox(e));
    return;
  }
  router.trackScroll();
  window.addEventListener('hashchange', () => {
    render();
  });
  render();
}
boot();
