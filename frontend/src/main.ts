// Entry point: the GC Design System (bundled, no CDN), the routes, and the first render.
import '@gcds-core/components/dist/gcds/gcds.css';
import { defineCustomElements } from '@gcds-core/components/loader';
import { fallback, route, start } from './app';
import { html } from 'lit-html';
import { t } from './i18n';
import { confirm, forgot, home, mfa, mfaSetup, register, resetPassword, signInPage } from './pages/account';
import { activityPage } from './pages/activity';
import { messagesPage } from './pages/messages';
import { notificationsPage } from './pages/notifications';
import { profilePage } from './pages/profile';
import { applicationPage } from './pages/application';
import { dashboard, startApplication } from './pages/applications';
import { casePage, queuePage } from './pages/officer';
import { representativesPage } from './pages/representatives';
import { invitationsPage } from './pages/invitations';
import { firmPage } from './pages/firm';
import { slotsPage } from './pages/officer-appointments';
import './fonts.css';
import './styles.css';
import { watchInactivity } from './session';

void defineCustomElements();

route('/', home);
route('/register', register);
route('/confirm', confirm);
route('/sign-in', signInPage);
route('/mfa-setup', mfaSetup);
route('/mfa', mfa);
route('/forgot', forgot);
route('/reset', resetPassword);
route('/dashboard', dashboard);
route('/applications/new', startApplication);
route('/applications/:id', applicationPage);
route('/applications/:id/messages', messagesPage);
route('/applications/:id/representatives', representativesPage);
route('/representative/invitations', invitationsPage);
route('/firm', firmPage);
route('/notifications', notificationsPage);
route('/profile', profilePage);
route('/activity', activityPage);
route('/officer', queuePage);
route('/officer/applications/:id', casePage);
route('/officer/slots', slotsPage);
fallback({ title: () => t('notFound.heading'), view: () => html`<p>${t('notFound.lead')}</p>` });

watchInactivity();
start();
