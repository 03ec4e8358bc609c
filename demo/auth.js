// Signs the page in as a guest: the element calls this before every attempt and whenever the server asks
// for a fresh token ahead of expiry, so a person sees the refreshes in the log, with the session going on.
const el = document.querySelector('reconnecting-session');

el.auth = async () => {
  const res = await fetch('/token', { method: 'POST' });
  if (!res.ok) throw new Error(`POST /token: ${res.status}`);
  const token = await res.text();
  // The payload is readable by anyone (it is signed, not encrypted); the token itself is never shown.
  const { sub, exp } = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  const seconds = Math.round(exp - Date.now() / 1000);
  // Worded without "token": the page must not look as if it showed one (test/node/reload.test.ts checks).
  const how = el.status === 'open' ? 'sign-in refreshed over the open socket' : 'signed in for this attempt';
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${how} (${sub.slice(0, 12)}…, expires in ${seconds} s)`;
  document.querySelector('#log').prepend(li);
  return token;
};
