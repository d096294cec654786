#!/bin/bash
exec "$(dirname "$0")/../bin/t/test-resource"
