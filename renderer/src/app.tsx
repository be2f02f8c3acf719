import { useEffect } from 'react';
import { NoticeBar } from './components/notice-bar';
import { HistoryView } from './history/history-view';
import { LibraryView } from './library/library-view';
import { RoomsView } from './rooms/rooms-view';
import { useAppInfoStore } from './state/app-info-store';
import { useNavigationStore, type ViewName } from './state/navigation-store';
import { useNoticesStore } from './state/notices-store';
import { useProfilesStore } from './state/profiles-store';
import { useRecordingStore } from './state/recording-store';
import { SettingsView } from './views/settings-view';
import { WatchView } from './watch/watch-view';
import { useWatchStore } from './watch/watch-store';

const navigation: { view: ViewName; label: string }[] = [
  { view: 'rooms', label: 'Rooms' },
  { view: 'watch', label: 'Watch' },
  { view: 'library', label: 'Library' },
  { view: 'history', label: 'History' },
  { view: 'settings', label: 'Settings' },
];

export function App() {
  const view = useNavigationStore((s) => s.view);
  const go = useNavigationStore((s) => s.go);
  const settle = useNavigationStore((s) => s.settle);
  const startNotices = useNoticesStore((s) => s.start);
  const listenRecording = useRecordingStore((s) => s.listen);
  const loadInfo = useAppInfoStore((s) => s.load);
  const loadProfiles = useProfilesStore((s) => s.load);
  const watching = useWatchStore((s) => s.sessions.length);
  const recordingFiles = useRecordingStore((s) => s.sessions.reduce((n, x) => n + x.files.filter((f) => f.state === 'recording').length, 0));

  useEffect(() => startNotices(), [startNotices]);
  useEffect(() => listenRecording(), [listenRecording]);
  useEffect(() => {
    void loadInfo();
    // First screen: Rooms when a server is set up, else Settings to add one.
    void loadProfiles().then(() => settle(useProfilesStore.getState().profiles.length > 0));
  }, [loadInfo, loadProfiles, settle]);

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Haven Player
        </div>
        {navigation.map((item) => (
          <button
            key={item.view}
            className={`nav-item${view === item.view ? ' active' : ''}`}
            aria-current={view === item.view ? 'page' : undefined}
            onClick={() => go(item.view)}
          >
            {item.label}
            {item.view === 'watch' && watching > 0 && (
              <span className="nav-count" aria-label={`${watching} open`}>
                {watching}
              </span>
            )}
          </button>
        ))}
        {recordingFiles > 0 && (
          <div className="sidebar-status" role="status">
            <span className="rec-dot" aria-hidden="true" /> Recording {recordingFiles} {recordingFiles === 1 ? 'file' : 'files'}
          </div>
        )}
      </nav>
      <main className="content">
        <NoticeBar />
        {view === 'settings' && <SettingsView />}
        {view === 'rooms' && <RoomsView />}
        {view === 'watch' && <WatchView />}
        {view === 'library' && <LibraryView />}
        {view === 'history' && <HistoryView />}
      </main>
    </div>
  );
}
