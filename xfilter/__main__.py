from xfilter.cli import console

console()
