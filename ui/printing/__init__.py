"""The Qt side of printing: render to a QPrinter, the spooler, the dialog and the queue."""
