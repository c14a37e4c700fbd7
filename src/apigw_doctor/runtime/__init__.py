"""Running a function as Lambda does, in one place for every command.

Each step is a module, in the order a request meets them:

- ``environment``: what a function sees (Lambda's reserved variables, the template's,
  nothing of the shell), and ``credentials``: which AWS account it may reach;
- ``interpreter``: which Python runs it (the project's own);
- ``pool`` (processes, timeouts, memory) running ``bootstrap`` (the worker's main
  loop, standard library only) which loads the handler (``handlers``), calls it and
  serialises the result (``invocation``, ``encoder``); ``in_process`` for debuggers;
- ``invoke``: the one entry: a function, a binding and an HTTP request in, the event,
  the invocation and API Gateway's verdict out;
- ``diagnosis``: whether a failed invocation is the handler's fault or could not be
  checked here (a missing package, AWS withheld, a variable the template never sets).

This package imports nothing on purpose: the rules core needs ``encoder`` alone, and
workers load ``bootstrap`` and its siblings as a private package of their own.
"""
