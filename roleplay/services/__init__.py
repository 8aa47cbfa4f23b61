"""Writes of live role-play, one module per concern:

- ``live``: starting a session, receiving replies, the buyer's turns, wake-ups (nudges,
  silence, the patience limit), time limits;
- ``lines``: storing the buyer's lines and delivering them when typed, or late when the
  process that was to deliver them stopped;
- ``exams``: two or three buyers at once under one time limit;
- ``scoring``: scoring an ended session into its report;
- ``reviews``: trainers' corrections and trainees' disputes;
- ``phrases``: the trainee's quick phrases;
- ``after_commit``: what a committed call leaves to do (pushes, line deliveries, Celery
  tasks), returned as a value; its docstring says who runs it, and how.
"""
