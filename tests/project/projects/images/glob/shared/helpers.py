def greeting():
    return "ok"
