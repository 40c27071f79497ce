// The landing page: host sign-in (POST /api/login), "Create meeting" (POST /api/rooms), the
// meeting link with a copy button, "Join now"; and a box to join by link or code.

import { login, createRoom, hostLogin, forgetHostLogin, APIError } from './api.js';

const $ = (sel) => document.querySelector(sel);
let created = null;

function toast(text, level = 'info') {
  const el = document.createElement('div');
  el.className = `toast ${level}`;
  el.textContent = text;
  $('#toasts').append(el);
  setTimeout(() => el.remove(), 3000);
}

function render() {
  const host = hostLogin();
  $('#login-section').hidden = !!host;
  $('#create-section').hidden = !host;
  if (host) $('#who').textContent = host.username || 'host';
}

$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const username = $('#username').value.trim();
  const password = $('#password').value;
  const err = $('#login-error');
  if (!username || !password) { err.textContent = 'Enter your username and password.'; return; }
  $('#login-btn').disabled = true;
  err.textContent = '';
  try {
    await login(username, password);
    $('#password').value = '';
    render();
    $('#meeting-name').focus();
  } catch (ex) {
    err.textContent = ex instanceof APIError && ex.code === 'unauthorized'
      ? 'Wrong username or password.' : (ex.message || 'Sign in failed.');
  } finally {
    $('#login-btn').disabled = false;
  }
});

$('#logout').addEventListener('click', (e) => {
  e.preventDefault();
  forgetHostLogin();
  $('#created').hidden = true;
  render();
});

$('#create-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const err = $('#create-error');
  $('#create-btn').disabled = true;
  err.textContent = '';
  try {
    created = await createRoom($('#meeting-name').value.trim());
    const link = created.joinUrl || `${location.origin}/join/${encodeURIComponent(created.room)}`;
    $('#meeting-link').value = link;
    $('#created').hidden = false;
    $('#copy-btn').focus();
  } catch (ex) {
    if (ex.code === 'unauthorized') { forgetHostLogin(); render(); $('#login-error').textContent = 'Your session has expired. Sign in again.'; }
    else err.textContent = ex.message || 'The meeting could not be created.';
  } finally {
    $('#create-btn').disabled = false;
  }
});

$('#copy-btn').addEventListener('click', async () => {
  const input = $('#meeting-link');
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand('copy');
  }
  $('#copy-btn').textContent = 'Copied';
  toast('Link copied.');
  setTimeout(() => { $('#copy-btn').textContent = 'Copy'; }, 1500);
});

$('#join-now').addEventListener('click', () => {
  if (!created) return;
  location.href = `/join/${encodeURIComponent(created.room)}`;
});

$('#goto-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const v = $('#goto').value.trim();
  if (!v) return;
  const m = v.match(/\/(?:join|room)\/([^/?#]+)/);
  const code = m ? decodeURIComponent(m[1]) : v.replace(/[^A-Za-z0-9_-]/g, '');
  if (code) location.href = `/join/${encodeURIComponent(code)}`;
});

render();
