# Written for drydock's comparison with hadolint: one case per line, shared rules.
FROM ubuntu AS base
RUN apt-get update && apt-get install curl wget=1.21 ./local.deb
RUN apt-get install -y --no-install-recommends tzdata/jammy
RUN apt-get -y install -o APT::Install-Recommends=false vim
RUN apt update && apt install -y git
RUN sudo chown -R app /srv
RUN cd /tmp && make
RUN pip install requests flask==2.0 'django>=4' ./pkg
RUN pip3 install --no-cache-dir -r requirements.txt
RUN python3 -m pip install --user black
RUN npm install express lodash@4.17.21 @types/node ./local
RUN npm ci
RUN gem install rails bundler:2.4.0
RUN yum install httpd && yum clean all
RUN dnf install -y nginx
RUN zypper install apache2
RUN curl -fsSL https://example.invalid/x.tgz | tar -xz
RUN wget -O- https://example.invalid/key | gpg --dearmor > /k.gpg
WORKDIR relative/dir
EXPOSE 80 65536 22
COPY a.txt b.txt /dest
ADD local.txt /x/
ADD https://example.invalid/f.tar.gz /f/
ADD archive.tar.gz /opt/
CMD run.sh --flag
ENTRYPOINT ["/entry"]
ENTRYPOINT ["/entry2"]
CMD ["a"]
HEALTHCHECK CMD true
HEALTHCHECK CMD false
MAINTAINER someone
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY SERVICE_TOKEN=$TOKEN
ARG DB_PASSWORD
ARG NPM_TOKEN_FILE=/run/secrets/npm
FROM base:latest AS second
COPY --from=second /a /b
COPY --from=nosuchstage /a /b
FROM --platform=linux/amd64 alpine:3.20 AS third
RUN apk add curl openssl=3.3.0-r0
RUN apk add --no-cache --virtual .deps gcc musl-dev
RUN apk update
USER root
FROM alpine:latest
RUN apk --no-cache add bash=5.2.26-r0 && echo done | cat
USER 0
