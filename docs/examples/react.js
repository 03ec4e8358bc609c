import { createElement as h, useRef, useState } from 'react';
import 'reconnecting-session';

// Settings are properties (React 19 sets a property when the element has one); `on` + the event's
// name adds a listener for that event.
export function LiveFeed({ url }) {
  const session = useRef(null);
  const [status, setStatus] = useState('idle');
  const [messages, setMessages] = useState([]);
  return h(
    'reconnecting-session',
    {
      ref: session,
      url,
      maxAttempts: 10,
      overlay: 'toast',
      'onsession-status': (event) => setStatus(event.detail.status),
      'onsession-message': (event) => setMessages((list) => [...list, event.detail.data]),
    },
    h('p', { className: 'status' }, `Status: ${status}`),
    h('button', { onClick: () => session.current.send('hello') }, 'Say hello'),
    h(
      'ul',
      null,
      messages.map((message, i) => h('li', { key: i }, String(message))),
    ),
  );
}
