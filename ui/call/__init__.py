"""The call window's parts: the video grid with its tiles, the toolbar, the statistics panel and
the device test page. They bind to `media.call.Call` (through `desktop.call_service`) and do no
I/O of their own."""
