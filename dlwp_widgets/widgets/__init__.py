"""ipywidgets classes that wire controls to the pure functions in viz/ and text/."""
