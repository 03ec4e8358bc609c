import { defineComponent, h, ref } from 'vue';
import 'reconnecting-session';

// Settings are properties (Vue sets a property when the element has one); `onSessionStatus`
// listens for `session-status`.
export const LiveFeed = defineComponent({
  props: { url: String },
  setup(props) {
    const session = ref(null);
    const status = ref('idle');
    const messages = ref([]);
    return () =>
      h(
        'reconnecting-session',
        {
          ref: session,
          url: props.url,
          maxAttempts: 10,
          overlay: 'toast',
          onSessionStatus: (event) => (status.value = event.detail.status),
          onSessionMessage: (event) => messages.value.push(event.detail.data),
        },
        [
          h('p', { class: 'status' }, `Status: ${status.value}`),
          h('button', { onClick: () => session.value.send('hello') }, 'Say hello'),
          h(
            'ul',
            messages.value.map((message, i) => h('li', { key: i }, String(message))),
          ),
        ],
      );
  },
});
