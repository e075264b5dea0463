"""The meeting room's services (issue 14): one per concern, each `Service(session, events,
outbox, meeting_id)`, live from the event stream; ui/meeting_room binds to them."""
