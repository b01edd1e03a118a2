// First: configures zod before any module defines or parses a schema.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { resolveBridge } from './api/bridge';
import { installBridge } from './api/histo-api';
import { router } from './router';
import './styles/workbench.css';
import './styles/forms.css';

// Pick the transport before the router reads the location: the browser client strips ?token= from it.
installBridge(resolveBridge());

createApp(App).use(createPinia()).use(router).mount('#app');
