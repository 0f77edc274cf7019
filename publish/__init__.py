"""Publishing the built site: `invoke publish --target NAME` sends output/ to rsync, S3 or a git branch.

The entry is `publish.pipeline.publish`; `publish/README.md` documents the targets and every setting.
"""
