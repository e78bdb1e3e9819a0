import { createRouter, createWebHashHistory } from 'vue-router';
import ComparePage from './pages/ComparePage.vue';
import DatasetsPage from './pages/DatasetsPage.vue';
import ExperimentsPage from './pages/ExperimentsPage.vue';
import ExperimentViewPage from './pages/ExperimentViewPage.vue';
import NewExperimentPage from './pages/NewExperimentPage.vue';
import RunPage from './pages/RunPage.vue';
import RunsPage from './pages/RunsPage.vue';
import SettingsPage from './pages/SettingsPage.vue';

/** Hash history: the same build works under app:// and behind web mode's static server. */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'experiments', component: ExperimentsPage, meta: { title: 'Experiments' } },
    {
      path: '/experiments/:id(\\d+)',
      name: 'experiment',
      component: ExperimentViewPage,
      props: (r) => ({ id: Number(r.params.id) }),
      meta: { title: 'Experiment' },
    },
    { path: '/new', name: 'new', component: NewExperimentPage, meta: { title: 'New experiment' } },
    { path: '/runs', name: 'runs', component: RunsPage, meta: { title: 'Runs' } },
    { path: '/runs/:id(\\d+)', name: 'run', component: RunPage, props: (r) => ({ id: Number(r.params.id) }), meta: { title: 'Run' } },
    { path: '/compare', name: 'compare', component: ComparePage, meta: { title: 'Compare' } },
    { path: '/datasets', name: 'datasets', component: DatasetsPage, meta: { title: 'Datasets' } },
    { path: '/settings', name: 'settings', component: SettingsPage, meta: { title: 'Settings' } },
    { path: '/:missing(.*)*', redirect: '/' },
  ],
});

router.afterEach((to) => {
  const title = typeof to.meta.title === 'string' ? to.meta.title : '';
  document.title = title ? `${title} · RigL Lab` : 'RigL Lab';
});
