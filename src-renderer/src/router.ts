import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import BackbonesView from './views/BackbonesView.vue';
import CompareView from './views/CompareView.vue';
import ReviewView from './views/ReviewView.vue';
import SearchView from './views/SearchView.vue';
import MapView from './views/MapView.vue';
import SettingsView from './views/SettingsView.vue';
import SlidesView from './views/SlidesView.vue';
import TasksView from './views/TasksView.vue';
import TrainingView from './views/TrainingView.vue';

export interface Area {
  name: string;
  path: string;
  label: string;
  group: 'Data' | 'Models' | 'Application';
}

/** The areas of the app, in navigation order; the router and the navigation both read this list. */
export const areas: readonly Area[] = [
  { name: 'slides', path: '/slides', label: 'Slides', group: 'Data' },
  { name: 'backbones', path: '/backbones', label: 'Backbones', group: 'Data' },
  { name: 'tasks', path: '/tasks', label: 'Tasks & Labels', group: 'Data' },
  { name: 'training', path: '/training', label: 'Training', group: 'Models' },
  { name: 'compare', path: '/compare', label: 'Compare', group: 'Models' },
  { name: 'review', path: '/review', label: 'Review', group: 'Models' },
  { name: 'search', path: '/search', label: 'Search', group: 'Data' },
  { name: 'map', path: '/map', label: 'Map', group: 'Data' },
  { name: 'settings', path: '/settings', label: 'Settings', group: 'Application' },
];

const views: Record<string, RouteRecordRaw['component']> = {
  slides: SlidesView,
  backbones: BackbonesView,
  tasks: TasksView,
  training: TrainingView,
  compare: CompareView,
  review: ReviewView,
  search: SearchView,
  map: MapView,
  settings: SettingsView,
};

// Hash history: file:// in Electron has no server to answer deep links.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/slides' },
    ...areas.map((area) => ({ name: area.name, path: area.path, component: views[area.name]!, meta: { title: area.label } })),
    { path: '/:unknown(.*)*', redirect: '/slides' },
  ],
});

router.afterEach((to) => {
  const title = typeof to.meta.title === 'string' ? to.meta.title : null;
  document.title = title ? `${title} · Histo Workstation` : 'Histo Workstation';
});
