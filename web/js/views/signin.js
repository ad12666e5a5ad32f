// The sign-in page (SPEC §9): email, password, and the account only when the email is in
// several accounts.

import {h, clear} from '../dom.js';
import * as api from '../api.js';

export function signInView(main, route, {onSignedIn}) {
  document.title = 'Sign in · Cohort';
  const email = h('input', {type: 'email', name: 'email', id: 'email', autocomplete: 'username',
    required: true});
  const password = h('input', {type: 'password', name: 'password', id: 'password',
    autocomplete: 'current-password', required: true});
  const account = h('input', {type: 'text', name: 'account', id: 'account',
    autocomplete: 'organization'});
  const message = h('p', {class: 'form-error', role: 'alert'});
  const submit = h('button', {type: 'submit', class: 'button primary', text: 'Sign in'});
  let details = null;
  let countdown = 0;  // the timer of a throttled sign-in's wait
  // A throttled sign-in (429): the wait the server asks for, counted down; Sign in waits too.
  const waitThen = (seconds) => {
    clearInterval(countdown);
    let left = Math.max(1, seconds);
    const say = () => {
      message.textContent = `Too many failed attempts: try again in ${left} s.`;
    };
    say();
    submit.disabled = true;
    countdown = setInterval(() => {
      left -= 1;
      if (left > 0) {
        say();
        return;
      }
      clearInterval(countdown);
      message.textContent = 'You may try again now.';
      submit.disabled = false;
    }, 1000);
  };
  const form = h('form', {class: 'signin', novalidate: false},
    h('h1', {text: 'Sign in to Cohort'}),
    h('label', {for: 'email', text: 'Email'}), email,
    h('label', {for: 'password', text: 'Password'}), password,
    details = h('details', {class: 'account-field'},
      h('summary', {text: 'Your email is in several organisations?'}),
      h('label', {for: 'account', text: 'Organisation key'}), account),
    message, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    message.textContent = '';
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const session = await api.signIn(email.value.trim(), password.value, account.value.trim());
      onSignedIn(session);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = 'Sign in';
      if (err.status === 422 && /several accounts/.test(err.message)) {
        // The email is in several organisations: ask which one.
        const keys = /\(([^)]*)\)/.exec(err.message);
        message.textContent = 'This email belongs to several organisations' +
          (keys ? ` (${keys[1]})` : '') + ': enter the organisation key below.';
        details.open = true;
        account.focus();
        return;
      }
      if (err.status === 429) {
        waitThen(err.retryAfter ?? 1);
        password.select();
        return;
      }
      message.textContent = err.status === 401 || err.status === 404
        ? 'That email and password do not match.'
        : `Could not sign in: ${err.message}`;
      password.select();
    }
  });
  clear(main).append(h('div', {class: 'signin-page'}, form));
  email.focus();
  return {destroy() {
    clearInterval(countdown);
  }};
}
