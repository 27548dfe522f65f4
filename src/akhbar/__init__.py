def hello() -> str:
    return "Hello from akhbar!"
