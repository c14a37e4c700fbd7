def body():
    return "ok"
