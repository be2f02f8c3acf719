import { useEffect } from 'react';
import { NoticeBar } from './components/notice-bar';
import { useNavigationStore, type ViewName } from './state/navigation-store';
import { useNoticesStore } from './state/notices-store';
import { SettingsView } from './views/settings-view';
import { PlaceholderView } from './views/placeholder-view';

const navigation: { view: ViewName; label: string }[] = [
  { view: 'rooms', label: 'Rooms' },
  { view: 'library', label: 'Library' },
  { view: 'history', label: 'History' },
  { view: 'settings', label: 'Settings' },
];

export function App() {
  const view = useNavigationStore((s) => s.view);
  const go = useNavigationStore((s) => s.go);
  const startNotices = useNoticesStore((s) => s.start);
  useEffect(() => startNotices(), [startNotices]);

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Haven Player</div>
        {navigation.map((item) => (
          <button
            key={item.view}
            className={`nav-item${view === item.view ? ' active' : ''}`}
            aria-current={view === item.view ? 'page' : undefined}
            onClick={() => go(item.view)}
          >
            {item.label}
          </button>
        ))}
      </nav>
      <main className="content">
        <NoticeBar />
        {view === 'settings' ? <SettingsView /> : <PlaceholderView view={view} />}
      </main>
    </div>
  );
}
