import cProfile, pstats, sys, threading, time, asyncio, os
sys.path.insert(0, "/work/main/benchmarks")
import bench_serve
import uvicorn
from pathlib import Path
from apigw_doctor.server import RouteTable, ServerConfig, create_app
routes = RouteTable.single("app.py:handler", "rest", timeout=3.0)
config = ServerConfig(routes=routes, workers=2, log_format="json", base=Path.cwd())
port = bench_serve.free_port()
server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning"))
def loader():
    bench_serve.wait_ready(port)
    time.sleep(1)
    asyncio.run(bench_serve.load(port, 500, 16))
    t=time.perf_counter(); asyncio.run(bench_serve.load(port, 4000, 16)); print("rate", 4000/(time.perf_counter()-t), file=sys.__stdout__)
    server.should_exit = True
threading.Thread(target=loader, daemon=True).start()
cProfile.run("server.run()", "/tmp/prof/out")
p = pstats.Stats("/tmp/prof/out"); p.sort_stats("tottime").print_stats(25)
