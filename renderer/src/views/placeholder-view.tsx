import type { ViewName } from '../state/navigation-store';

const texts: Record<Exclude<ViewName, 'settings'>, { title: string; body: string }> = {
  rooms: { title: 'Rooms', body: 'Live rooms of your servers will appear here.' },
  library: { title: 'Library', body: 'Your recordings will appear here.' },
  history: { title: 'History', body: 'Every watch and recording session will be listed here.' },
};

export function PlaceholderView({ view }: { view: Exclude<ViewName, 'settings'> }) {
  const text = texts[view];
  return (
    <section className="view">
      <header className="view-header">
        <h2>{text.title}</h2>
      </header>
      <div className="empty">
        <p>{text.body}</p>
      </div>
    </section>
  );
}
