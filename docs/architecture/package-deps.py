#!/usr/bin/env python3
"""Package-level import counts of src/main at a git revision: python3 docs/architecture/package-deps.py REV"""
import re,subprocess,sys,collections
rev=sys.argv[1]
files=subprocess.run(['git','ls-tree','-r','--name-only',rev,'src/main/java/dev/gancompress'],capture_output=True,text=True).stdout.split()
edges=collections.Counter()
for f in files:
    if not f.endswith('.java'): continue
    src=f.split('src/main/java/dev/gancompress/')[1].split('/')
    sp=src[0] if len(src)>1 else '(root)'
    text=subprocess.run(['git','show',rev+':'+f],capture_output=True,text=True).stdout
    for m in set(re.findall(r'dev\.gancompress\.([a-z]+)\.[A-Z]',text)):
        if m!=sp: edges[(sp,m)]+=1
    for m in set(re.findall(r'dev\.gancompress\.([A-Z][A-Za-z]+)\b',text)):
        if sp!='(root)': edges[(sp,'(root)')]+=0
for (a,b),n in sorted(edges.items()):
    if n: print(f"{a:9s} -> {b:9s} {n:3d} files")
