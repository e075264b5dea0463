"""The meeting room (phòng họp không giấy): one window per meeting, its panels beside the stage."""
